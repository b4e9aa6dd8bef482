package org.medv.e2e;

import org.medv.cli.stack.LocalStack;
import org.medv.cli.stack.Tracing;
import org.medv.testkit.EmbeddedKafka;
import org.medv.testkit.FakeJudgeServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One medv for all end-to-end tests of a JVM: an in-process KRaft broker and the packaged services as child
 * processes (vision, denoiser, two gateways) on ports away from the defaults, with the trained demo model that
 * {@code ./medv up} serves.
 */
final class Stack {
    /**
     * Added to every port, so that e2e runs of several work trees on one machine do not collide:
     * {@code mvn verify -Dmedv.e2e.port-offset=300}.
     */
    static final int OFFSET = Integer.getInteger("medv.e2e.port-offset", 0);
    static final int GATEWAY_GRPC = 19000 + OFFSET;
    static final int GATEWAY_HTTP = 18080 + OFFSET;
    static final int MAX_IMAGE_BYTES = 200_000;
    static final int QUEUE = 2;
    /**
     * A request carrying this metadata label is held by the denoiser after its first step until it is cancelled
     * ({@code medv.denoiser.hold-label}), so that a test can cancel a request that is provably still running.
     */
    static final String HOLD_LABEL = "medv-e2e-hold";

    private static Stack instance;

    static final int EVALUATOR_HTTP = 18103 + OFFSET;
    static final int DENOISER_GRPC = 19102 + OFFSET;
    static final int DENOISER_HTTP = 18102 + OFFSET;

    final EmbeddedKafka kafka;
    final LocalStack services;
    final Path modelDir;
    final FakeJudgeServer judge;
    /** Where every service exports its spans, as `./medv up --otlp-endpoint` makes them (TracingE2ETest). */
    final OtlpReceiver otlp;

    private Stack(EmbeddedKafka kafka, LocalStack services, Path modelDir, FakeJudgeServer judge, OtlpReceiver otlp) {
        this.kafka = kafka;
        this.services = services;
        this.modelDir = modelDir;
        this.judge = judge;
        this.otlp = otlp;
    }

    static synchronized Stack get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static Stack start() {
        Path root = repoRoot();
        try {
            Path run = Files.createDirectories(root.resolve("e2e/target/stack"));
            Path model = root.resolve("models/demo"); // the trained demo model ./medv up serves
            EmbeddedKafka kafka = EmbeddedKafka.start();
            // the judge scores the reference 8 and the candidate 6 (relative 75), an empty candidate 2 (25)
            FakeJudgeServer judge = new FakeJudgeServer().otherwise(candidate -> FakeJudgeServer.Reply.completion(
                    (candidate.isBlank() ? "8 2" : "8 6") + "\nAssistant 1 is more detailed."));
            kafka.createTopics(3, "medv.denoise.steps", "medv.answers");
            OtlpReceiver otlp = new OtlpReceiver();
            List<String> properties = new ArrayList<>(List.of("-Dmedv.vision.max-image-bytes=" + MAX_IMAGE_BYTES,
                    "-Dmedv.denoiser.queue-capacity=" + QUEUE, "-Dmedv.denoiser.hold-label=" + HOLD_LABEL,
                    "-Dquarkus.otel.bsp.schedule.delay=200ms"));
            properties.addAll(Tracing.exportTo(otlp.endpoint(), "http/protobuf"));
            LocalStack.Settings s = new LocalStack.Settings(root, model, run, kafka.bootstrapServers(), 0,
                    GATEWAY_GRPC, GATEWAY_HTTP, 19101 + OFFSET, 18101 + OFFSET, DENOISER_GRPC, DENOISER_HTTP, 2,
                    properties, EVALUATOR_HTTP, List.of("-Dmedv.evaluator.judge.base-url=" + judge.baseUrl()));
            LocalStack services = new LocalStack(s).start();
            return new Stack(kafka, services, model, judge, otlp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** gRPC port of gateway {@code n} (0 or 1). */
    static int grpc(int n) {
        return GATEWAY_GRPC + 10 * n;
    }

    static int http(int n) {
        return GATEWAY_HTTP + 10 * n;
    }

    /**
     * Polls the readiness of the gateway on {@code httpPort} until it is ready (200) and its {@code key} datum
     * ({@link LocalStack#gatewayDatum}) satisfies {@code state}.
     */
    static void awaitGatewayDatum(int httpPort, String key, Predicate<String> state, Duration wait)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(ready, HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && state.test(LocalStack.gatewayDatum(r.body(), key))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway's readiness was not 200 with the wanted " + key + " within " + wait
                + ": " + last);
    }

    void close() {
        services.close();
        kafka.close();
        judge.close();
        otlp.close();
    }

    static synchronized void closeIfStarted() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }

    static Path repoRoot() {
        String p = System.getProperty("medv.repo.root");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata/golden"))) {
                return d;
            }
        }
        throw new IllegalStateException("repository root not found above " + start);
    }
}
