package org.medv.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code medv ask}: one question to a running gateway over gRPC, the answer unmasking in the terminal. Sampler flags
 * left out are not sent: the gateway applies the served model's defaults.
 */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Ask a running medv (./medv up) and watch the answer unmask.",
            "Sampler flags left out are not sent: the served model's defaults apply (its generation_config.json)."})
final class AskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUESTION")
    String question;

    @Option(names = "--image", paramLabel = "FILE", description = "PNG or JPEG")
    Path image;

    @Option(names = "--host", description = "gateway host (default ${DEFAULT-VALUE})")
    String host = "localhost";

    @Option(names = "--port", description = "gateway gRPC port (default ${DEFAULT-VALUE})")
    int port = 9000;

    @Option(names = "--quiet", description = "print only the final answer")
    boolean quiet;

    @Mixin
    GenerationFlags flags = new GenerationFlags();

    @Override
    public Integer call() throws IOException, InterruptedException {
        AskRequest.Builder req = AskRequest.newBuilder().setQuestion(question).setOptions(flags.toProto());
        if (image != null) {
            if (!Files.isRegularFile(image)) {
                throw new InvalidRequestException("image", "image file " + image + " does not exist");
            }
            req.setImage(ByteString.copyFrom(Files.readAllBytes(image)));
        }
        PrintWriter out = spec.commandLine().getOut();
        ManagedChannel channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try {
            Iterator<AnswerEvent> events = AssistantGrpc.newBlockingStub(channel).ask(req.build());
            boolean tty = System.console() != null;
            while (events.hasNext()) {
                AnswerEvent e = events.next();
                if (e.getFinal()) {
                    if (tty && !quiet) {
                        out.print("\r\033[K");
                    }
                    out.println(e.getText());
                    if (e.hasError() && !e.getError().getMessage().isEmpty()) {
                        spec.commandLine().getErr().println("medv: " + e.getError().getMessage());
                        return 1;
                    }
                } else if (!quiet) {
                    String line = "[" + e.getStep() + "/" + e.getTotalSteps() + "] " + e.getDraft();
                    if (tty) {
                        out.print("\r\033[K" + line.replace('\n', ' '));
                    } else {
                        out.println(line);
                    }
                }
                out.flush();
            }
            return 0;
        } catch (StatusRuntimeException e) {
            spec.commandLine().getErr().println("medv: " + e.getStatus().getCode() + ": "
                    + e.getStatus().getDescription());
            return e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT ? Main.EXIT_INVALID : 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
