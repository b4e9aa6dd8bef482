package org.medv.cli.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * medv on one machine: a Kafka broker process (unless an existing cluster is given) and the services as child
 * JVMs, each started from its packaged Quarkus jar and checked through its readiness endpoint. Once all are ready,
 * each is supervised ({@link SupervisedProcess}): one that exits, is killed, or whose liveness check stays DOWN is
 * started again after a backoff, and the restart is reported. Closing stops the supervision first, then the
 * processes in reverse order, so nothing restarts. Used by {@code ./medv up} and by the end-to-end tests.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * @param kafkaBootstrap an existing cluster, or null to start a local broker on {@code kafkaPort}
     * @param gateways       how many gateway replicas (the n-th gets ports 9000+10n / 8080+10n)
     * @param evaluatorHttpPort the evaluator-service's HTTP port, 0 to run without it
     * @param evaluatorProperties -D settings for the evaluator only (judge endpoint, ...)
     */
    public record Settings(Path repoRoot, Path modelDir, Path runDir, String kafkaBootstrap, int kafkaPort,
                           int gatewayGrpcPort, int gatewayHttpPort, int visionGrpcPort, int visionHttpPort,
                           int denoiserGrpcPort, int denoiserHttpPort, int gateways, List<String> extraProperties,
                           int evaluatorHttpPort, List<String> evaluatorProperties) {

        public static Settings defaults(Path repoRoot, Path modelDir) {
            return new Settings(repoRoot, modelDir, repoRoot.resolve(".run"), null, 9092, 9000, 8080, 9101, 8101,
                    9102, 8102, 1, List.of(), 8103, List.of());
        }
    }

    /** Where the internal services listen: loopback only; the gateway alone listens on every address. */
    static final String INTERNAL_HOST = "127.0.0.1";
    static final String PUBLIC_HOST = "0.0.0.0";

    private List<String> modelProperties = List.of();
    private int denoisers = 1;
    private Path kafkaConfigFile;
    private InternalTls internalTls;
    private Duration readyTimeout = Duration.ofMinutes(3);
    private final Settings settings;
    private final List<SupervisedProcess> processes = new ArrayList<>();
    private SupervisedProcess.Policy policy = SupervisedProcess.Policy.DEFAULT;
    private Consumer<String> report = line -> System.err.println(line);
    private String bootstrap;
    private GatewaySecurity security = GatewaySecurity.NONE;

    public LocalStack(Settings settings) {
        this.settings = settings;
    }

    /** Where restarts are reported (default: standard error), and with which backoff; before {@link #start}. */
    public LocalStack supervision(SupervisedProcess.Policy policy, Consumer<String> report) {
        this.policy = policy;
        this.report = report;
        return this;
    }

    /**
     * Where and in which precision the model services (vision, denoiser) run: {@code medv.model.device} and
     * {@code medv.model.dtype}; the environment (PYTORCH_LIBRARY_PATH, PYTORCH_FLAVOR for a GPU) reaches them as is.
     */
    public LocalStack device(String device, String dtype) {
        this.modelProperties = List.of("-Dmedv.model.device=" + device, "-Dmedv.model.dtype=" + dtype);
        return this;
    }

    /**
     * How many denoiser processes (default 1): the n-th gets ports {@code denoiserGrpcPort + 10n} /
     * {@code denoiserHttpPort + 10n} (as the gateways, so that they never meet the evaluator's 8103), its own outbox
     * directory and instance id ({@code denoiser-n}, hence its own Kafka transactional id); with more than one, the
     * gateways get the list ({@code medv.gateway.denoisers}).
     */
    public LocalStack denoisers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("denoisers must be at least 1, got " + count);
        }
        this.denoisers = count;
        return this;
    }

    /** gRPC port of denoiser {@code n}. */
    public int denoiserGrpcPort(int n) {
        return settings.denoiserGrpcPort() + 10 * n;
    }

    /** HTTP port of denoiser {@code n}. */
    public int denoiserHttpPort(int n) {
        return settings.denoiserHttpPort() + 10 * n;
    }

    /** TLS and API keys on the gateways' public ports; before {@link #start}. */
    public LocalStack gatewaySecurity(GatewaySecurity security) {
        this.security = security;
        return this;
    }

    /**
     * A Kafka client properties file (SASL/TLS settings) that every Kafka client of every service applies
     * ({@code medv.kafka.config-file}, see libs/kafka-config); only its path is passed, so no secret appears on a
     * command line. A given cluster is checked with it before anything starts.
     */
    public LocalStack kafkaConfig(Path file) {
        this.kafkaConfigFile = file.toAbsolutePath();
        org.medv.kafka.KafkaClientFile.read(kafkaConfigFile); // a missing or unreadable file fails here
        return this;
    }

    /** How long each service may take to become ready (3 minutes; a test on a crowded machine may wait longer). */
    public LocalStack readyTimeout(Duration timeout) {
        this.readyTimeout = timeout;
        return this;
    }

    /** Mutual TLS between the gateway and vision/denoiser from a directory of PEM files ({@link InternalTls}). */
    public LocalStack internalTls(Path dir) {
        this.internalTls = InternalTls.from(dir);
        return this;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Settings settings() {
        return settings;
    }

    /** Starts everything and waits until every service is ready. */
    public LocalStack start() {
        Path logs = settings.runDir().resolve("logs");
        try {
            Files.createDirectories(logs);
            stopLeftovers();
            if (settings.kafkaBootstrap() == null) {
                requireFree(settings.kafkaPort(), "Kafka");
                supervised("kafka", () -> KafkaBroker.start(settings.repoRoot(), settings.runDir().resolve("kafka"),
                        settings.kafkaPort(), settings.kafkaPort() + 1, logs), null, GatewaySecurity.NONE);
                bootstrap = "localhost:" + settings.kafkaPort();
            } else {
                bootstrap = settings.kafkaBootstrap();
                KafkaPreflight.check(bootstrap, kafkaConfigFile, Duration.ofSeconds(20));
            }
            ManagedProcess vision = service("vision-service", "vision-service", settings.visionGrpcPort(),
                    settings.visionHttpPort(), concat(modelProperties, serverTls("vision")));
            List<ManagedProcess> dns = new ArrayList<>();
            List<String> addresses = new ArrayList<>();
            for (int d = 0; d < denoisers; d++) {
                // final records wait on disk for the broker, and a restart answers what the dead process had
                // accepted: one outbox and one instance id (its transactional id) per denoiser
                Path outbox = settings.runDir().resolve(d == 0 ? "denoiser-outbox" : "denoiser-outbox-" + d);
                dns.add(service("denoiser-service", d == 0 ? "denoiser-service" : "denoiser-service-" + d,
                        denoiserGrpcPort(d), denoiserHttpPort(d), concat(concat(modelProperties, List.of(
                                "-Dmedv.denoiser.outbox-dir=" + outbox.toAbsolutePath(),
                                "-Dmedv.denoiser.instance-id=denoiser-" + d)), serverTls("denoiser"))));
                addresses.add("localhost:" + denoiserGrpcPort(d));
            }
            String denoiserTarget = denoisers == 1 ? "-Dquarkus.grpc.clients.denoiser.port=" + denoiserGrpcPort(0)
                    : "-Dmedv.gateway.denoisers=" + String.join(",", addresses);
            List<ManagedProcess> gws = new ArrayList<>();
            for (int g = 0; g < settings.gateways(); g++) {
                int grpc = settings.gatewayGrpcPort() + 10 * g;
                gws.add(service("gateway", "gateway-" + grpc, grpc, settings.gatewayHttpPort() + 10 * g,
                        concat(List.of("-Dquarkus.grpc.clients.vision.port=" + settings.visionGrpcPort(),
                                denoiserTarget, "-Dmedv.gateway.instance-id=gateway-" + g),
                                internalTls == null ? List.of() : internalTls.clientProperties())));
            }
            ManagedProcess evaluator = settings.evaluatorHttpPort() > 0
                    ? service("evaluator-service", "evaluator-service", 0, settings.evaluatorHttpPort(),
                            settings.evaluatorProperties())
                    : null;
            Duration ready = readyTimeout;
            vision.awaitHttpOk("http://localhost:" + settings.visionHttpPort() + "/q/health/ready", ready);
            for (int d = 0; d < dns.size(); d++) {
                dns.get(d).awaitHttpOk("http://localhost:" + denoiserHttpPort(d) + "/q/health/ready", ready);
            }
            if (evaluator != null) {
                evaluator.awaitHttpOk("http://localhost:" + settings.evaluatorHttpPort() + "/q/health/ready", ready);
            }
            for (int g = 0; g < gws.size(); g++) {
                // ready, and serving requests with an image too: the gateway takes text-only ones before its watch
                // has seen vision serve; with several denoisers, once its watches see every replica serving (it is
                // ready with one, and would send everything there until the others' first health answer)
                gws.get(g).awaitHttpOk(security.httpScheme() + "://localhost:" + (settings.gatewayHttpPort() + 10 * g)
                        + "/q/health/ready", ready, security.healthClient(),
                        body -> imagesServed(body) && (denoisers == 1 || everyReplicaServing(body, addresses)));
            }
            processes.forEach(SupervisedProcess::supervise);
            return this;
        } catch (RuntimeException | java.io.IOException e) {
            close();
            throw new IllegalStateException("medv did not start: " + e.getMessage(), e);
        }
    }

    /** Whether a gateway readiness body says requests with an image are served ({@code "images": "served"}). */
    static boolean imagesServed(String readiness) {
        return gatewayDatum(readiness, "images").equals("served");
    }

    /**
     * Whether a gateway readiness body shows each of the denoiser {@code addresses} as {@code serving, N in flight}
     * (its {@code denoiser host:port} data).
     */
    static boolean everyReplicaServing(String readiness, List<String> addresses) {
        return addresses.stream().allMatch(a -> gatewayDatum(readiness, "denoiser " + a).startsWith("serving"));
    }

    /**
     * One datum of a gateway's readiness check ({@code medv-gateway}), e.g. {@code images} or
     * {@code denoiser host:port}; "" when absent or not that document.
     */
    public static String gatewayDatum(String readiness, String key) {
        try {
            for (var check : com.google.gson.JsonParser.parseString(readiness).getAsJsonObject()
                    .getAsJsonArray("checks")) {
                var c = check.getAsJsonObject();
                if (c.get("name").getAsString().equals("medv-gateway") && c.has("data")
                        && c.getAsJsonObject("data").has(key)) {
                    return c.getAsJsonObject("data").get(key).getAsString();
                }
            }
        } catch (RuntimeException e) {
            return ""; // not the gateway's readiness document
        }
        return "";
    }

    private List<String> serverTls(String name) {
        return internalTls == null ? List.of() : internalTls.serverProperties(name, settings.runDir().toAbsolutePath());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private ManagedProcess service(String module, String name, int grpcPort, int httpPort, List<String> extra) {
        if (grpcPort > 0) {
            requireFree(grpcPort, module + " gRPC");
        }
        requireFree(httpPort, module + " HTTP");
        Path jar = settings.repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(module + " is not built: " + jar + " is missing (mvn install)");
        }
        List<String> cmd = command(module, grpcPort, httpPort, extra, jar);
        Path log = settings.runDir().resolve("logs").resolve(name + ".log");
        boolean gateway = module.equals("gateway");
        String scheme = gateway ? security.httpScheme() : "http";
        return supervised(name, () -> ManagedProcess.start(name, cmd, log),
                scheme + "://localhost:" + httpPort + "/q/health/live", gateway ? security : GatewaySecurity.NONE)
                .current();
    }

    /**
     * The command line of a service: the gateway listens on every address, the others on loopback only (their
     * gRPC and HTTP/health ports), so that from another machine only the gateway can be reached.
     */
    List<String> command(String module, int grpcPort, int httpPort, List<String> extra, Path jar) {
        String host = module.equals("gateway") ? PUBLIC_HOST : INTERNAL_HOST;
        List<String> cmd = new ArrayList<>(List.of(ManagedProcess.javaBinary(), "-Xmx1g",
                "-XX:MaxDirectMemorySize=2g", "-Dai.djl.offline=true",
                "-DDJL_CACHE_DIR=" + settings.repoRoot().resolve(".cache/djl"),
                "-Dmedv.model.dir=" + settings.modelDir().toAbsolutePath(),
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dquarkus.http.host=" + host,
                "-Dquarkus.http.port=" + httpPort));
        if (grpcPort > 0) {
            cmd.add("-Dquarkus.grpc.server.host=" + host);
            cmd.add("-Dquarkus.grpc.server.port=" + grpcPort);
        }
        if (kafkaConfigFile != null) {
            cmd.add("-D" + org.medv.kafka.KafkaClientFile.CONFIG_KEY + "=" + kafkaConfigFile);
        }
        int threads = engineThreads(module, Runtime.getRuntime().availableProcessors());
        if (module.equals("denoiser-service")) {
            threads = Math.max(1, threads / denoisers); // several denoisers share the cores the one would take
        }
        if (threads > 0) {
            cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        }
        cmd.addAll(extra);
        cmd.addAll(settings.extraProperties());
        boolean gateway = module.equals("gateway");
        if (gateway) {
            cmd.addAll(security.properties());
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    /** Starts a child under supervision (watching begins once the whole stack is ready); its pids go to the file. */
    private SupervisedProcess supervised(String name, Supplier<ManagedProcess> start, String livenessUrl,
                                         GatewaySecurity probe) {
        SupervisedProcess p = new SupervisedProcess(name, () -> track(start.get()), livenessUrl, probe.healthClient(),
                policy, report);
        processes.add(p);
        return p;
    }

    /**
     * PyTorch intra-op threads for a service on a machine of {@code cores}: on one machine the services share the
     * cores with the broker, the gateway and the clients, and an OpenMP pool as wide as the machine then waits on
     * descheduled workers at every operation (measured on 2 cores: the demo model's step took 21-30 ms in the
     * denoiser against 8 ms in-process). The denoiser keeps every core but one, vision (one encode per request)
     * one core on small machines; other services hold no engine (0: not set).
     */
    public static int engineThreads(String module, int cores) {
        return switch (module) {
            case "denoiser-service" -> Math.max(1, cores - 1);
            case "vision-service" -> cores <= 4 ? 1 : Math.max(1, cores / 4);
            default -> 0;
        };
    }

    /** Remembers a child in {@code runDir/pids}, so that a stack whose JVM died is cleaned up by the next start. */
    private ManagedProcess track(ManagedProcess p) {
        try {
            Files.writeString(pidFile(), p.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + pidFile(), e);
        }
        return p;
    }

    /**
     * Stops the children of an earlier stack in this run directory that outlived their parent. Children whose parent
     * is a live {@code ./medv up} belong to a stack that is still running: that is refused, never killed (its
     * supervisor would restart them under the new stack's feet).
     */
    private void stopLeftovers() throws java.io.IOException {
        if (!Files.exists(pidFile())) {
            return;
        }
        List<ProcessHandle> leftovers = new ArrayList<>();
        for (String line : Files.readAllLines(pidFile())) {
            if (line.isBlank()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(line.trim()))
                    .filter(h -> h.info().commandLine().map(c -> c.contains("quarkus-run.jar")
                            || c.contains("kafka.Kafka")).orElse(false))
                    .ifPresent(leftovers::add);
        }
        for (ProcessHandle h : leftovers) {
            java.util.Optional<ProcessHandle> owner = liveOwner(h, LocalStack::isUp);
            if (owner.isPresent()) {
                throw new IllegalStateException("medv is already running from " + settings.runDir() + " (./medv up, "
                        + "pid " + owner.get().pid() + "); stop it first (Ctrl-C in its terminal, or kill "
                        + owner.get().pid() + ")");
            }
        }
        for (ProcessHandle h : leftovers) {
            h.destroy();
            try {
                h.onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        Files.delete(pidFile());
    }

    /** The parent of {@code child} when it is alive and {@code isOwner} accepts its command line. */
    static java.util.Optional<ProcessHandle> liveOwner(ProcessHandle child,
                                                       java.util.function.Predicate<String> isOwner) {
        return child.parent().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(isOwner::test).orElse(false));
    }

    /** Whether a command line is a {@code ./medv up} (the CLI's jar with the up command). */
    static boolean isUp(String commandLine) {
        return commandLine.contains("medv-cli.jar") && commandLine.matches(".*\\sup(\\s.*)?$");
    }

    private Path pidFile() {
        return settings.runDir().resolve("pids");
    }

    private static void requireFree(int port, String what) {
        if (!ManagedProcess.portFree(port)) {
            throw new IllegalStateException(what + " port " + port + " is already in use");
        }
    }

    public List<SupervisedProcess> processes() {
        return List.copyOf(processes);
    }

    /** Ends the supervision of all, then stops the services, then the broker (reverse start order). */
    @Override
    public void close() {
        processes.forEach(SupervisedProcess::stopSupervising);
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        processes.clear();
        try {
            Files.deleteIfExists(pidFile());
        } catch (java.io.IOException ignored) {
            // a stale pid file only costs a check at the next start
        }
    }
}
