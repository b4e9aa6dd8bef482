package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.medv.cli.stack.LocalStack;
import org.medv.cli.stack.ManagedProcess;
import org.medv.model.DemoModel;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.GenerationOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code medv bench stream}: time to first event, time to final event, and the latency the streaming path adds
 * between the denoiser publishing a step and the client receiving it, for 1, 8 and 32 concurrent gRPC clients.
 * Uses a running medv on --port, or starts one (demo model, local broker) for the run.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Streaming latency through gateway, Kafka and denoiser.")
final class BenchStreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "gateway gRPC port (default ${DEFAULT-VALUE})")
    int port = 9000;

    @Option(names = "--clients", split = ",", description = "concurrency levels (default ${DEFAULT-VALUE})")
    List<Integer> clients = List.of(1, 8, 32);

    @Option(names = "--requests", description = "requests per client per level (default ${DEFAULT-VALUE})")
    int requests = 3;

    @Option(names = "--gen-length", description = "answer length (default ${DEFAULT-VALUE})")
    int genLength = 64;

    @Option(names = "--steps", description = "denoising steps (default ${DEFAULT-VALUE})")
    int steps = 64;

    @Option(names = "--block-length", description = "block length (default ${DEFAULT-VALUE})")
    int blockLength = 32;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "decoding mode: exact, none|prefix|dual with +t<threshold> and /r<refresh> (default exact)")
    String mode = "exact";

    @Option(names = "--warmup", paramLabel = "N",
            description = "requests sent one at a time before measuring, then one round at the largest level up to 8"
                    + " clients (the services' JIT compilers settle: their per-event code runs 64 times a request;"
                    + " default ${DEFAULT-VALUE}); the in-process baseline warms up as many times")
    int warmup = 200;

    @Option(names = "--no-in-process",
            description = "skip timing the same request in this process on the served model")
    boolean noInProcess;

    @Option(names = "--model", paramLabel = "DIR",
            description = "the served model, for the in-process baseline (default the demo model)")
    Path model;

    @Mixin
    OutputFormat output = new OutputFormat();

    private record Sample(long firstMs, long finalMs, List<Long> hopMicros, boolean rejected) {
    }

    @Override
    public Integer call() throws Exception {
        boolean json = output.json();
        PrintWriter out = output.log(spec); // the text report; stderr when stdout holds the JSON
        JsonObject result = new JsonObject();
        JsonArray levels = new JsonArray();
        if (warmup < 0 || requests < 1) {
            throw new InvalidRequestException(warmup < 0 ? "--warmup" : "--requests",
                    warmup < 0 ? "must be 0 or more" : "must be 1 or more");
        }
        LocalStack stack = null;
        if (ManagedProcess.portFree(port)) {
            Path root = Launcher.repoRoot();
            Path model = root.resolve(UpCommand.DEMO_MODEL);
            if (!DemoModel.present(model)) {
                throw new InvalidRequestException("model", "no gateway on port " + port + " and no demo model in "
                        + model + " to start one with");
            }
            LocalStack.Settings d = LocalStack.Settings.defaults(root, model);
            out.println("no gateway on port " + port + ": starting medv with the demo model for this run");
            out.flush();
            stack = new LocalStack(new LocalStack.Settings(root, model, d.runDir(), null, d.kafkaPort(), port,
                    d.gatewayHttpPort(), d.visionGrpcPort(), d.visionHttpPort(), d.denoiserGrpcPort(),
                    d.denoiserHttpPort(), 1, List.of(), 0, List.of())).start(); // `up`'s defaults
        }
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        InProcess baseline = null;
        try {
            byte[] png = java.nio.file.Files.readAllBytes(Launcher.repoRoot()
                    .resolve("testdata/golden/tiny-llada-medv/image0.png"));
            org.medv.model.sampler.GenerationOptions decoding = new org.medv.model.sampler.GenerationOptions(
                    genLength, blockLength, steps, 0, 0, 0, org.medv.model.sampler.Remasking.LOW_CONFIDENCE, null,
                    List.of()).withModeName(mode);
            AskRequest req = AskRequest.newBuilder().setQuestion(QUESTION)
                    .setImage(com.google.protobuf.ByteString.copyFrom(png))
                    .setOptions(org.medv.serving.ProtoOptions.resolved(GenerationOptions.newBuilder()
                            .setNoStop(true).build(), decoding)).build();
            if (!noInProcess) {
                // as many PyTorch threads as `up` gives the denoiser on this machine: the same work on the same
                // resources, without the services around it
                int threads = LocalStack.engineThreads("denoiser-service", Runtime.getRuntime().availableProcessors());
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
                baseline = new InProcess(model != null ? model : Launcher.repoRoot().resolve(UpCommand.DEMO_MODEL),
                        png, decoding, threads);
                for (int w = 0; w < warmup; w++) {
                    baseline.once();
                }
            }
            for (int w = 0; w < warmup; w++) {
                run(channel, req, 1, 1);
            }
            int widest = clients.stream().mapToInt(Integer::intValue).filter(n -> n <= 8).max().orElse(1);
            if (warmup > 0 && widest > 1) {
                run(channel, req, widest, 1); // batched steps warm up too
            }
            result.addProperty("warmup", warmup);
            out.printf("gen_length=%d block_length=%d steps=%d mode=%s, no stop sequence, %d requests per"
                    + " client%n", genLength, blockLength, steps, decoding.modeName(), requests);
            result.addProperty("mode", decoding.modeName());
            result.addProperty("gen_length", genLength);
            result.addProperty("block_length", blockLength);
            result.addProperty("steps", steps);
            result.addProperty("requests_per_client", requests);
            result.addProperty("started_stack", stack != null);
            out.println("| clients | requests | rejected | first event p50 / p99 (ms) | final event p50 / p99 (ms) "
                    + "| publish-to-client p50 / p99 (ms) | events/s |");
            out.println("|---|---|---|---|---|---|---|");
            double eventsPerRequest = -1;
            for (int n : clients) {
                long t0 = System.nanoTime();
                // one client, with the in-process baseline: each stack request right after an in-process one, so
                // that both see the same machine (this machine's speed drifts by 1.5x over a minute)
                List<Sample> samples = n == 1 && baseline != null ? paired(channel, req, baseline, requests)
                        : run(channel, req, n, requests);
                double secs = (System.nanoTime() - t0) / 1e9;
                List<Long> first = new ArrayList<>();
                List<Long> fin = new ArrayList<>();
                List<Long> hops = new ArrayList<>();
                long rejected = 0;
                long accepted = 0;
                for (Sample s : samples) {
                    if (s.rejected) {
                        rejected++;
                        continue;
                    }
                    accepted++;
                    first.add(s.firstMs);
                    fin.add(s.finalMs);
                    hops.addAll(s.hopMicros);
                }
                if (accepted > 0) {
                    eventsPerRequest = (double) hops.size() / accepted - 1; // less the final event
                }
                out.printf("| %d | %d | %d | %d / %d | %d / %d | %.1f / %.1f | %.0f |%n", n, samples.size(),
                        rejected, pct(first, 50), pct(first, 99), pct(fin, 50), pct(fin, 99),
                        pct(hops, 50) / 1000.0, pct(hops, 99) / 1000.0, hops.size() / secs);
                out.flush();
                JsonObject level = new JsonObject();
                level.addProperty("clients", n);
                level.addProperty("requests", samples.size());
                level.addProperty("rejected", rejected);
                level.add("first_event_ms", percentiles(pct(first, 50), pct(first, 99)));
                level.add("final_event_ms", percentiles(pct(fin, 50), pct(fin, 99)));
                level.add("publish_to_client_ms", percentiles(pct(hops, 50) / 1000.0, pct(hops, 99) / 1000.0));
                level.addProperty("events_per_s", hops.size() / secs);
                levels.add(level);
            }
            result.add("levels", levels);
            if (baseline != null) {
                if (baseline.times.isEmpty()) { // no one-client level to pair with
                    for (int r = 0; r < requests; r++) {
                        baseline.measured();
                    }
                }
                double ms = pct(baseline.times, 50) / 1000.0;
                out.printf("in process: %.0f ms per request (p50 of %d after %d warm-up runs, vision and generation,"
                        + " %d PyTorch thread(s), this JVM%s)%n", ms, baseline.times.size(), warmup, baseline.threads,
                        baseline.paired.isEmpty() ? "" : ", each run just before a one-client stack request");
                result.addProperty("in_process_ms", ms);
                result.addProperty("in_process_threads", baseline.threads);
                result.addProperty("in_process_runs", baseline.times.size());
                if (!baseline.paired.isEmpty()) {
                    double pairedRatio = pct(baseline.paired, 50) / 1000.0;
                    out.printf("one client through the stack, pair by pair: p50 %.2fx its in-process run%n",
                            pairedRatio);
                    result.addProperty("stack_over_in_process_paired", pairedRatio);
                }
            }
            if (eventsPerRequest >= 0) {
                // the denoiser's medv.denoiser.step-stride decides how many steps it publishes; say what arrived
                out.printf("step events per request: %.1f of %d steps%n", eventsPerRequest, steps);
                result.addProperty("step_events_per_request", eventsPerRequest);
            }
            summarize(out, result, levels);
        } finally {
            if (baseline != null) {
                baseline.close();
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            if (stack != null) {
                stack.close();
            }
        }
        if (json) {
            OutputFormat.print(spec.commandLine().getOut(), result);
        }
        return 0;
    }

    private static final String QUESTION = "Is there a lesion?";

    /** The ratios the targets are stated in: the whole stack against in-process, and n clients against one. */
    private static void summarize(PrintWriter out, JsonObject result, JsonArray levels) {
        JsonObject one = null;
        for (var l : levels) {
            if (l.getAsJsonObject().get("clients").getAsInt() == 1) {
                one = l.getAsJsonObject();
            }
        }
        if (one == null) {
            return;
        }
        double single = one.getAsJsonObject("final_event_ms").get("p50").getAsDouble();
        if (result.has("in_process_ms")) {
            double ratio = single / result.get("in_process_ms").getAsDouble();
            out.printf("one client through the stack: %.2fx the in-process time%n", ratio);
            result.addProperty("stack_over_in_process", ratio);
        }
        for (var l : levels) {
            JsonObject level = l.getAsJsonObject();
            int n = level.get("clients").getAsInt();
            if (n > 1) {
                double ratio = level.getAsJsonObject("final_event_ms").get("p50").getAsDouble() / single;
                out.printf("%d clients: final event p50 %.2fx one client's%n", n, ratio);
                level.addProperty("final_p50_over_one_client", ratio);
            }
        }
        out.flush();
    }

    /**
     * The same request without the stack: image encoding and generation on the model loaded in this JVM, timed as
     * the stack's final event is.
     */
    private static final class InProcess implements AutoCloseable {
        final int threads;
        final List<Long> times = new ArrayList<>(); // microseconds, measured runs only
        final List<Long> paired = new ArrayList<>(); // stack time / in-process time of one pair, x1000
        private final org.medv.model.MedvModel model;
        private final int[] prompt;
        private final List<byte[]> images;
        private final org.medv.model.sampler.GenerationOptions options;

        InProcess(Path dir, byte[] png, org.medv.model.sampler.GenerationOptions options, int threads) {
            this.model = org.medv.model.MedvModel.load(org.medv.model.LoadOptions.of(dir, null));
            this.prompt = model.prompts().promptIds(QUESTION, 1);
            this.images = List.of(png);
            this.options = options;
            this.threads = threads;
        }

        /** One run; its time in microseconds. */
        long once() {
            long t = System.nanoTime();
            model.generate(prompt, images, options, e -> { });
            return (System.nanoTime() - t) / 1000;
        }

        /** One run counted in {@link #times}; its time in microseconds. */
        long measured() {
            long t = once();
            times.add(t);
            return t;
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** {@code n} stack requests from one client, each just after an in-process run of the same request. */
    private static List<Sample> paired(ManagedChannel channel, AskRequest req, InProcess baseline, int n) {
        List<Sample> samples = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            long local = baseline.measured();
            Sample s = once(channel, req);
            samples.add(s);
            if (!s.rejected) {
                baseline.paired.add(Math.round(s.finalMs * 1000.0 * 1000 / Math.max(1, local)));
            }
        }
        return samples;
    }

    private static JsonObject percentiles(Number p50, Number p99) {
        JsonObject o = new JsonObject();
        o.addProperty("p50", p50);
        o.addProperty("p99", p99);
        return o;
    }

    private List<Sample> run(ManagedChannel channel, AskRequest req, int clientsN, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clientsN);
        try {
            List<Future<List<Sample>>> futures = new ArrayList<>();
            for (int c = 0; c < clientsN; c++) {
                futures.add(pool.submit(() -> {
                    List<Sample> mine = new ArrayList<>();
                    for (int r = 0; r < perClient; r++) {
                        mine.add(once(channel, req));
                    }
                    return mine;
                }));
            }
            List<Sample> all = new ArrayList<>();
            for (Future<List<Sample>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Sample once(ManagedChannel channel, AskRequest req) {
        long start = System.nanoTime();
        long first = -1;
        List<Long> hops = new ArrayList<>();
        try {
            Iterator<AnswerEvent> it = AssistantGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.MINUTES).ask(req);
            while (it.hasNext()) {
                AnswerEvent e = it.next();
                long now = System.nanoTime();
                java.time.Instant i = java.time.Instant.now();
                long wall = i.getEpochSecond() * 1_000_000_000L + i.getNano();
                if (first < 0) {
                    first = now;
                }
                if (e.getPublishedUnixNanos() > 0) {
                    hops.add(Math.max(0, (wall - e.getPublishedUnixNanos()) / 1000));
                }
                if (e.getFinal()) {
                    return new Sample((first - start) / 1_000_000, (now - start) / 1_000_000, hops, false);
                }
            }
            return new Sample((first - start) / 1_000_000, (System.nanoTime() - start) / 1_000_000, hops, false);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                return new Sample(0, 0, List.of(), true);
            }
            throw e;
        }
    }

    private static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get(Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1));
    }
}
