package org.medv.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
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

    @Option(names = "--tls", description = "speak TLS to the gateway (./medv up --tls-cert), trusting the JVM's CAs"
            + " or --cacert")
    boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", description = "PEM certificate(s) trusted for the gateway: its CA,"
            + " or its own certificate when self-signed (implies --tls)")
    Path cacert;

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "send the API key in FILE (its first line "
            + "that is not a # comment) as authorization: Bearer; default: the environment's MEDV_API_KEY, if set")
    Path apiKeyFile;

    /** The environment variable holding the API key when no --api-key-file is given. */
    static final String KEY_ENV = "MEDV_API_KEY";

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
        String key = apiKey(apiKeyFile, System.getenv(KEY_ENV));
        boolean secure = tls || cacert != null;
        if (key != null && !secure && !loopback(host)) {
            spec.commandLine().getErr().println("medv: warning: the API key goes to " + host
                    + " without TLS (--tls or --cacert)");
        }
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(host, port, credentials(secure, cacert))
                .maxInboundMessageSize(64 << 20).build();
        try {
            AssistantGrpc.AssistantBlockingStub stub = AssistantGrpc.newBlockingStub(channel);
            if (key != null) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
                stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            Iterator<AnswerEvent> events = stub.ask(req.build());
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
            String hint = e.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED && key == null
                    ? " (no key was sent: set " + KEY_ENV + " or give --api-key-file)" : "";
            spec.commandLine().getErr().println("medv: " + e.getStatus().getCode() + ": "
                    + e.getStatus().getDescription() + hint);
            return e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT ? Main.EXIT_INVALID : 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The API key: the first line of {@code file} that is neither blank nor a {@code #} comment, else {@code env}
     * (null or blank: no key).
     *
     * @throws InvalidRequestException naming the file when it cannot be read or holds no key, or a key with spaces
     *                                 or control characters (a header cannot carry it)
     */
    static String apiKey(Path file, String env) {
        String key = null;
        if (file != null) {
            try {
                key = Files.readAllLines(file).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                        .orElseThrow(() -> new InvalidRequestException("api-key-file", file + " holds no key"));
            } catch (IOException e) {
                throw new InvalidRequestException("api-key-file", "cannot read " + file);
            }
        } else if (env != null && !env.isBlank()) {
            key = env.strip();
        }
        if (key != null && !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidRequestException(file != null ? "api-key-file" : KEY_ENV,
                    "an API key is printable ASCII without spaces");
        }
        return key;
    }

    /** Plaintext, or TLS trusting {@code cacert} (PEM) or the JVM's CAs. */
    static ChannelCredentials credentials(boolean tls, Path cacert) {
        if (!tls) {
            return InsecureChannelCredentials.create();
        }
        if (cacert == null) {
            return TlsChannelCredentials.create();
        }
        try (java.io.InputStream in = Files.newInputStream(cacert)) {
            // gRPC reads the file only when the channel is built, and then reports a missing certificate obscurely
            if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new java.security.cert.CertificateException("no certificate");
            }
            return TlsChannelCredentials.newBuilder().trustManager(cacert.toFile()).build();
        } catch (IOException | IllegalArgumentException | java.security.GeneralSecurityException e) {
            throw new InvalidRequestException("cacert", "cannot read a PEM certificate from " + cacert);
        }
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
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
