package org.medv.cli;

import org.medv.cli.stack.GatewaySecurity;
import org.medv.cli.stack.LocalStack;
import org.medv.cli.stack.Tracing;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.model.DemoModel;
import org.medv.model.InvalidRequestException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code medv up}: Kafka (a local KRaft broker unless --kafka is given) and the services, until Ctrl-C. Once up, a
 * crashed service or broker is restarted with backoff (1 s doubling to 30 s), and each restart is printed.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start medv on this machine: Kafka broker, vision, denoiser, gateway and evaluator services.")
final class UpCommand implements Callable<Integer> {
    /** The trained demo model shipped in the repository (see its README for how it was made). */
    static final String DEMO_MODEL = "models/demo";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "model directory (default: the trained demo model in models/demo)")
    Path model;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "use this Kafka cluster instead of starting one")
    String kafka;

    @Option(names = "--gateways", description = "gateway replicas (default ${DEFAULT-VALUE})")
    int gateways = 1;

    @Option(names = "--denoisers", description = "denoiser processes, the gateways spread requests over them "
            + "(default ${DEFAULT-VALUE})")
    int denoisers = 1;

    @Option(names = "--judge-url", paramLabel = "URL",
            description = "OpenAI-compatible endpoint for the conversation benchmark's judge (key: OPENAI_API_KEY)")
    String judgeUrl;

    @Option(names = "--judge-model", description = "judge model (default ${DEFAULT-VALUE})")
    String judgeModel = "gpt-4.1-mini";

    @Option(names = "--device", paramLabel = "cpu|gpu",
            description = "where vision and denoiser run (default ${DEFAULT-VALUE}; gpu: see docs/gpu.md)")
    String device = "cpu";

    @Option(names = "--dtype", paramLabel = "f32|f16", description = "model precision (default ${DEFAULT-VALUE})")
    String dtype = "f32";

    @Option(names = "--otlp-endpoint", paramLabel = "URL", description = "export every span to this OpenTelemetry"
            + " collector (default: none; trace context and trace ids are propagated either way)")
    String otlpEndpoint;

    @Option(names = "--otlp-protocol", paramLabel = "grpc|http/protobuf",
            description = "OTLP transport of --otlp-endpoint (default grpc)")
    String otlpProtocol;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate (chain): the gateways' gRPC and HTTP ports speak TLS only (with --tls-key)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert")
    Path tlsKey;

    @Option(names = "--api-keys", paramLabel = "FILE",
            description = "API keys the gateways accept, one per line (# comments); see docs/security.md")
    Path apiKeys;

    @Option(names = "--streams-per-key", paramLabel = "N", description = "answers in flight at once per API key "
            + "(with --api-keys; default: the gateway's, 8)")
    Integer streamsPerKey;

    @Option(names = "--requests-per-key-per-minute", paramLabel = "N", description = "asks started per API key in "
            + "any 60 s (with --api-keys; default: the gateway's, 120)")
    Integer requestsPerKeyPerMinute;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (security.protocol, "
            + "sasl.*, ssl.*) for every Kafka client of every service; with --kafka (docs/security.md)")
    Path kafkaConfig;

    @Option(names = "--internal-tls-dir", paramLabel = "DIR", description = "mutual TLS between the gateway and "
            + "vision/denoiser: DIR holds ca.crt and vision, denoiser, gateway .crt/.key in PEM (docs/security.md)")
    Path internalTlsDir;

    /** Inside the deployment: Kafka client settings and mutual TLS, checked before anything starts. */
    private LocalStack secured(LocalStack stack) {
        if (kafkaConfig != null) {
            if (kafka == null) {
                throw new InvalidRequestException("kafka-config", "--kafka-config needs --kafka HOST:PORT: the "
                        + "broker that up starts itself listens on loopback without authentication");
            }
            try {
                stack.kafkaConfig(kafkaConfig);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("kafka-config", e.getMessage());
            }
        }
        try {
            return internalTlsDir == null ? stack : stack.internalTls(internalTlsDir);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("internal-tls-dir", e.getMessage());
        }
    }

    private List<String> evaluatorProperties() {
        return judgeUrl == null ? List.of("-Dmedv.evaluator.judge.model=" + judgeModel)
                : List.of("-Dmedv.evaluator.judge.base-url=" + judgeUrl, "-Dmedv.evaluator.judge.model=" + judgeModel);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new InvalidRequestException("device", "--device must be cpu or gpu, got " + device);
        }
        if (denoisers < 1 || denoisers > 8) {
            throw new InvalidRequestException("denoisers", "--denoisers must be 1..8, got " + denoisers);
        }
        try {
            org.medv.model.device.Devices.dtype(dtype); // an unknown name fails here, before anything starts
        } catch (org.medv.model.ModelLoadException e) {
            throw new InvalidRequestException("dtype", e.getMessage());
        }
        if (otlpProtocol != null && otlpEndpoint == null) {
            throw new InvalidRequestException("otlp-protocol", "--otlp-protocol needs --otlp-endpoint");
        }
        List<String> tracing = otlpEndpoint == null ? List.of()
                : Tracing.exportTo(otlpEndpoint, otlpProtocol == null ? "grpc" : otlpProtocol);

        GatewaySecurity security;
        try {
            security = new GatewaySecurity(tlsCert, tlsKey, apiKeys, streamsPerKey, requestsPerKeyPerMinute);
        } catch (IllegalArgumentException e) {
            String field = e.getMessage().startsWith("--streams-per-key") ? "streams-per-key"
                    : e.getMessage().startsWith("--requests-per-key") ? "requests-per-key-per-minute"
                    : tlsCert == null && tlsKey == null ? "api-keys" : "tls";
            throw new InvalidRequestException(field, e.getMessage());
        }
        Path root = Launcher.repoRoot();
        Path modelDir = model;
        if (modelDir == null) {
            modelDir = root.resolve(DEMO_MODEL);
            if (!DemoModel.present(modelDir)) {
                throw new InvalidRequestException("model", "the demo model is missing from " + modelDir
                        + "; restore it (git checkout models/demo) or rebuild it as models/demo/README.md says");
            }
        }
        LocalStack.Settings d = LocalStack.Settings.defaults(root, modelDir);
        LocalStack.Settings s = new LocalStack.Settings(root, modelDir, d.runDir(), kafka, d.kafkaPort(),
                d.gatewayGrpcPort(), d.gatewayHttpPort(), d.visionGrpcPort(), d.visionHttpPort(),
                d.denoiserGrpcPort(), d.denoiserHttpPort(), gateways, tracing, d.evaluatorHttpPort(),
                evaluatorProperties());
        PrintWriter err = spec.commandLine().getErr();
        // the Kafka client file and the internal certificates are checked (secured) before anything starts
        LocalStack stack = secured(new LocalStack(s)).device(device, dtype).denoisers(denoisers)
                .gatewaySecurity(security).supervision(SupervisedProcess.Policy.DEFAULT, line -> {
                    err.println(line);
                    err.flush();
                });
        out.println("starting medv (logs in " + s.runDir().resolve("logs") + ") ...");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("stopping medv ...");
            stack.close();
            stopped.countDown();
        }, "medv-up-shutdown"));
        stack.start();
        out.println();
        out.println("medv is up");
        for (int g = 0; g < gateways; g++) {
            out.println("  web page   " + security.httpScheme() + "://localhost:" + (s.gatewayHttpPort() + 10 * g) + "/");
            out.println("  gRPC       localhost:" + (s.gatewayGrpcPort() + 10 * g) + "  (medv.v1.Assistant/Ask"
                    + (security.tls() ? ", TLS" : "") + ")");
        }
        for (int n = 0; n < denoisers; n++) {
            out.println("  denoiser   localhost:" + stack.denoiserGrpcPort(n) + "  (log " + s.runDir().resolve("logs")
                    .resolve((n == 0 ? "denoiser-service" : "denoiser-service-" + n) + ".log") + ")");
        }
        out.println("  evaluator  http://localhost:" + s.evaluatorHttpPort() + "/runs");
        out.println("  Kafka      " + stack.bootstrapServers() + "  (topics medv.denoise.steps, medv.answers)");
        out.println("  model      " + modelDir);
        if (apiKeys != null) {
            out.println("  API keys   " + apiKeys + "  (send 'Authorization: Bearer KEY')");
        }
        if (security.tls() || apiKeys != null) {
            // ./medv ask speaks plain gRPC without a key: point at the clients that do
            out.println("Clients with TLS and keys: docs/security.md");
        } else {
            out.println("Try: ./medv ask --image " + DEMO_MODEL + "/examples/mri-left-right.png \"Which side are the "
                    + "lesions on?\"");
        }
        out.println("A crashed service restarts by itself (said here); Ctrl-C stops everything.");
        out.flush();
        stopped.await();
        return 0;
    }
}
