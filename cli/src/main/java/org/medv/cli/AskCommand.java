package org.medv.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.Timings;
import org.medv.serving.ProtoOptions;
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
    OutputFormat output = new OutputFormat();

    @Mixin
    GenerationFlags flags = new GenerationFlags();

    @Override
    public Integer call() throws IOException, InterruptedException {
        boolean json = output.json();
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
                    if (json) {
                        OutputFormat.print(out, json(e));
                    } else {
                        if (tty && !quiet) {
                            out.print("\r\033[K");
                        }
                        out.println(e.getText());
                    }
                    if (e.hasError() && !e.getError().getMessage().isEmpty()) {
                        spec.commandLine().getErr().println("medv: " + e.getError().getMessage());
                        return 1;
                    }
                } else if (!quiet && !json) {
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

    /**
     * The final event as {@code generate --format json} prints an answer (its decoding {@code mode} from the event's
     * options), plus {@code request_id}, the gateway's {@code timing} (queue, vision, first step, generate, total)
     * and {@code error} when the request failed.
     */
    static JsonObject json(AnswerEvent e) {
        Timings t = e.getTimings();
        JsonObject o = OutputFormat.answer(OutputFormat.ids(e.getOutputIdsList()), e.getText(),
                e.getFinishReason().name(), t.getSteps());
        o.addProperty("request_id", e.getRequestId());
        if (e.hasOptions()) {
            o.addProperty("mode", ProtoOptions.modeName(e.getOptions()));
        }
        JsonObject timing = new JsonObject();
        timing.addProperty("queue_ms", t.getQueueMs());
        timing.addProperty("vision_ms", t.getVisionMs());
        timing.addProperty("first_step_ms", t.getFirstStepMs());
        timing.addProperty("generate_ms", t.getGenerateMs());
        timing.addProperty("total_ms", t.getTotalMs());
        timing.addProperty("ms_per_step", OutputFormat.msPerStep(t.getGenerateMs(), t.getSteps()));
        o.add("timing", timing);
        if (e.hasError()) {
            JsonObject error = new JsonObject();
            error.addProperty("code", e.getError().getCode());
            error.addProperty("field", e.getError().getField());
            error.addProperty("message", e.getError().getMessage());
            o.add("error", error);
        }
        return o;
    }
}
