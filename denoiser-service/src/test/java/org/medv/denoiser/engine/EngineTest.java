package org.medv.denoiser.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.DemoModel;
import org.medv.model.InvalidRequestException;
import org.medv.model.LoadOptions;
import org.medv.model.TextSide;
import org.medv.model.config.GenerationDefaults;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.CacheMode;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Remasking;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.TokenIds;
import org.medv.serving.CapacityExceededException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine without Quarkus or Kafka: the demo model, declaring gen_length 8 / block_length 4 / steps 8 in its
 * generation_config.json, and a sink that records (or refuses) what it is given.
 */
class EngineTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path dir;
    private static TextSide prompts;

    @BeforeAll
    static void writeModel() throws Exception {
        dir = Files.createTempDirectory("medv-engine-test");
        DemoModel.write(dir, 7);
        GenerationDefaults.declare(dir, Map.of("gen_length", 8, "block_length", 4, "steps", 8));
        prompts = TextSide.load(dir);
    }

    @AfterAll
    static void close() {
        prompts.close();
    }

    @Test
    void refusesBeforeTheModelIsLoaded() {
        try (Engine engine = engine(new RecordingSink(false), 4)) {
            assertThrows(EngineUnavailableException.class, () -> engine.submit(request(16)));
        }
    }

    @Test
    void shutdownFinishesTheRunningAndTheQueuedRequestsExactlyOnce() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        Engine engine = engine(sink, 4);
        engine.start();
        awaitReady(engine);
        StartRequest running = request(512);
        StartRequest queued = request(16);
        engine.submit(running);
        while (sink.steps.get() == 0) {
            Thread.sleep(5);
        }
        engine.submit(queued);
        engine.close();

        assertTrue(sink.closed);
        assertEquals(2, sink.finals.size(), "one final per request");
        assertEquals(2, sink.answers.size());
        for (DenoiseEvent e : sink.finals) {
            assertEquals(FinishReason.FINISH_REASON_FAILED, e.getFinishReason());
            assertEquals("UNAVAILABLE", e.getError().getCode());
        }
        assertEquals(List.of(running.getRequestId(), queued.getRequestId()),
                sink.answers.stream().map(AnswerRecord::getRequestId).toList());
    }

    @Test
    void keepsServingWhenTheBrokerRefusesRecords() throws Exception {
        RecordingSink sink = new RecordingSink(true);
        try (Engine engine = engine(sink, 4)) {
            engine.start();
            awaitReady(engine);
            engine.submit(request(8));
            engine.submit(request(8));
            sink.awaitFinals(2);
            assertTrue(engine.ready());
        }
    }

    @Test
    void optionsARequestLeavesUnsetAreTheModelsAndExplicitOnesWin() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        try (Engine engine = engine(sink, 4)) {
            engine.start();
            awaitReady(engine);
            StartRequest unset = request(GenerationOptions.newBuilder().setNoStop(true));
            StartRequest longer = request(GenerationOptions.newBuilder().setNoStop(true).setGenLength(16));
            engine.submit(unset);
            engine.submit(longer);
            sink.awaitFinals(2);

            List<DenoiseEvent> steps = sink.stepsOf(unset.getRequestId());
            assertEquals(8, steps.size(), "the model's 8 steps, each published");
            assertTrue(steps.stream().allMatch(e -> e.getTotalSteps() == 8 && e.getIdsCount() == 8));
            assertEquals(1, steps.get(steps.size() - 1).getBlock(), "two blocks of the model's 4");
            GenerationOptions ran = sink.answerOf(unset.getRequestId()).getOptions();
            assertEquals(List.of(8, 4, 8), List.of(ran.getGenLength(), ran.getBlockLength(), ran.getSteps()));
            assertEquals(0.0, ran.getTemperature());
            assertEquals(Remasking.REMASKING_LOW_CONFIDENCE, ran.getRemasking());

            ran = sink.answerOf(longer.getRequestId()).getOptions();
            assertEquals(List.of(16, 4, 8), List.of(ran.getGenLength(), ran.getBlockLength(), ran.getSteps()),
                    "the explicit gen_length, the model's block_length and steps");
            assertEquals(16, sink.stepsOf(longer.getRequestId()).get(0).getIdsCount());
        }
    }

    @Test
    void forbidIdsReachTheSamplerAndOutOfVocabularyIdsAreRefused() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        try (Engine engine = engine(sink, 4)) {
            engine.start();
            awaitReady(engine);
            StartRequest free = request(GenerationOptions.newBuilder().setNoStop(true));
            engine.submit(free);
            int produced = sink.awaitFinal(free.getRequestId()).getOutputIds(0);

            StartRequest forbidding = request(GenerationOptions.newBuilder().setNoStop(true)
                    .setForbidIds(TokenIds.newBuilder().addIds(produced)));
            engine.submit(forbidding);
            List<Integer> output = sink.awaitFinal(forbidding.getRequestId()).getOutputIdsList();
            assertEquals(8, output.size());
            assertFalse(output.contains(produced), "token " + produced + " is forbidden: " + output);
            assertEquals(List.of(produced), sink.answerOf(forbidding.getRequestId()).getOptions().getForbidIds()
                    .getIdsList());

            int vocab = prompts.config().llm().vocabSize();
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.submit(request(
                    GenerationOptions.newBuilder().setForbidIds(TokenIds.newBuilder().addIds(1).addIds(vocab)))));
            assertEquals("forbid_ids", e.field());
            assertTrue(e.getMessage().contains("vocabulary of " + vocab + " ids"), e.getMessage());
        }
    }

    @Test
    void requestsJoiningARunningBatchAnswerAsTheyWouldAlone() throws Exception {
        List<GenerationOptions.Builder> asks = List.of(
                GenerationOptions.newBuilder().setNoStop(true).setGenLength(32).setBlockLength(32).setSteps(32),
                GenerationOptions.newBuilder().setNoStop(true).setGenLength(16).setBlockLength(8).setSteps(16)
                        .setCache(CacheMode.CACHE_MODE_DUAL),
                GenerationOptions.newBuilder().setGenLength(8).setThreshold(0.5).setCache(CacheMode.CACHE_MODE_PREFIX),
                GenerationOptions.newBuilder().setNoStop(true).setGenLength(24).setBlockLength(8).setSteps(12));
        // alone: one request at a time
        Map<Integer, List<List<Integer>>> alone = new java.util.HashMap<>();
        RecordingSink one = new RecordingSink(false);
        try (Engine engine = engine(one, 8, 1, EngineObserver.NONE)) {
            engine.start();
            awaitReady(engine);
            for (int i = 0; i < asks.size(); i++) {
                StartRequest r = request(asks.get(i));
                engine.submit(r);
                one.awaitFinal(r.getRequestId());
                alone.put(i, trace(one, r.getRequestId()));
            }
        }
        // batched: the first request's first step holds the engine until the other three wait in the queue, so all
        // four share the next forward
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink gated = new RecordingSink(false) {
            @Override
            public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
                if (entered.getCount() > 0) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.publishStep(requestId, event);
            }
        };
        AtomicInteger widest = new AtomicInteger();
        EngineObserver observer = new EngineObserver() {
            @Override
            public void batch(int requests) {
                widest.accumulateAndGet(requests, Math::max);
            }
        };
        try (Engine engine = engine(gated, 8, 4, observer)) {
            engine.start();
            awaitReady(engine);
            List<StartRequest> sent = new ArrayList<>();
            for (GenerationOptions.Builder ask : asks) {
                sent.add(request(ask));
            }
            engine.submit(sent.get(0));
            entered.await();
            for (StartRequest r : sent.subList(1, sent.size())) {
                engine.submit(r);
            }
            assertEquals(3, engine.queueDepth());
            release.countDown();
            gated.awaitFinals(sent.size());
            assertEquals(4, widest.get(), "four requests in one forward");
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(alone.get(i), trace(gated, sent.get(i).getRequestId()), "request " + i);
            }
            assertEquals("dual", gated.answerOf(sent.get(1).getRequestId()).getOptions().getCache().name()
                    .replace("CACHE_MODE_", "").toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * The deadline passes (on the engine's clock) while the engine thread is held inside the first step's
     * publication: the request stops before its next forward, after exactly one step, as DEADLINE.
     */
    @Test
    void aDeadlinePassingDuringGenerationStopsItBeforeTheNextForward() throws Exception {
        MutableClock clock = new MutableClock(1_000_000);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink gated = new RecordingSink(false) {
            @Override
            public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.publishStep(requestId, event);
            }
        };
        try (Engine engine = engine(gated, 4, 1, EngineObserver.NONE, clock)) {
            engine.start();
            awaitReady(engine);
            StartRequest r = request(512).toBuilder().setDeadlineUnixMs(clock.millis() + 1000).build();
            engine.submit(r);
            entered.await();
            clock.advance(1000);
            release.countDown();
            DenoiseEvent last = gated.awaitFinal(r.getRequestId());
            assertEquals(FinishReason.FINISH_REASON_DEADLINE, last.getFinishReason());
            assertEquals(1, last.getTimings().getSteps(), "stopped before the second forward");
            assertEquals(FinishReason.FINISH_REASON_DEADLINE, gated.answerOf(r.getRequestId()).getFinishReason());
        }
    }

    /**
     * medv.denoiser.hold-label (fault tests only): a labelled request stops after its first step while another runs
     * to its end beside it, and a cancel then ends it at once with exactly that one step.
     */
    @Test
    void aRequestWithTheHoldLabelWaitsAfterItsFirstStepUntilItIsCancelled() throws Exception {
        RecordingSink sink = new RecordingSink(false);
        EngineSettings settings = new EngineSettings(dir, "cpu", "f32", 4, 2, 1, "hold");
        try (Engine engine = new Engine(settings, () -> EngineModel.load(LoadOptions.of(dir, null)), sink,
                EngineObserver.NONE, Clock.systemUTC())) {
            engine.start();
            awaitReady(engine);
            StartRequest held = request(64).toBuilder()
                    .setMetadata(ClientMetadata.newBuilder().putLabels("hold", "yes")).build();
            StartRequest other = request(8);
            engine.submit(held);
            engine.submit(other);
            assertEquals(FinishReason.FINISH_REASON_LENGTH, sink.awaitFinal(other.getRequestId()).getFinishReason());
            assertEquals(List.of(1), sink.stepsOf(held.getRequestId()).stream().map(DenoiseEvent::getStep).toList(),
                    "held after its first step while the other request ran 8");
            assertTrue(engine.cancel(held.getRequestId()));
            DenoiseEvent last = sink.awaitFinal(held.getRequestId());
            assertEquals(FinishReason.FINISH_REASON_CANCELLED, last.getFinishReason());
            assertEquals(1, last.getTimings().getSteps());
        }
    }

    /**
     * The sink hears of a request before it can run (with the FAILED records a restart would send), of one the
     * full queue refused after all, and ids it already knows from before a restart are duplicates.
     */
    @Test
    void theSinkJournalsEveryAcceptedRequestAndItsKnownIdsAreDuplicates() throws Exception {
        List<String> journal = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink(false) {
            @Override
            public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
                entered.countDown(); // the first step holds the engine until the queue is full
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.publishStep(requestId, event);
            }

            @Override
            public void accepted(String requestId, DenoiseEvent failedFinal, AnswerRecord failedAnswer) {
                assertEquals(FinishReason.FINISH_REASON_FAILED, failedAnswer.getFinishReason());
                assertEquals("UNAVAILABLE", failedAnswer.getError().getCode());
                assertTrue(failedFinal.getFinal());
                assertTrue(finals.stream().noneMatch(f -> f.getRequestId().equals(requestId)), "before it ends");
                journal.add("accepted " + requestId);
            }

            @Override
            public void withdrawn(String requestId) {
                journal.add("withdrawn " + requestId);
            }

            @Override
            public Set<String> knownIds() {
                return Set.of("answered-before-the-restart");
            }
        };
        try (Engine engine = engine(sink, 1)) {
            engine.start();
            awaitReady(engine);
            assertThrows(DuplicateRequestException.class, () -> engine.submit(request(8).toBuilder()
                    .setRequestId("answered-before-the-restart").build()));
            StartRequest running = request(512);
            StartRequest queued = request(8);
            StartRequest refused = request(8);
            engine.submit(running);
            entered.await();
            engine.submit(queued);
            assertThrows(CapacityExceededException.class, () -> engine.submit(refused));
            engine.cancel(running.getRequestId());
            release.countDown();
            sink.awaitFinal(queued.getRequestId());
            assertEquals(List.of("accepted " + running.getRequestId(), "accepted " + queued.getRequestId(),
                    "accepted " + refused.getRequestId(), "withdrawn " + refused.getRequestId()), journal);
        }
    }

    @Test
    void aSinkThatCannotTakeMoreAnswersMakesTheEngineUnavailable() throws Exception {
        AtomicReference<String> full = new AtomicReference<>();
        RecordingSink sink = new RecordingSink(false) {
            @Override
            public String unavailableReason() {
                return full.get();
            }
        };
        try (Engine engine = engine(sink, 4)) {
            engine.start();
            awaitReady(engine);
            full.set("10000 answers wait for the Kafka broker");
            assertFalse(engine.ready());
            EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                    () -> engine.submit(request(8)));
            assertTrue(e.getMessage().contains("wait for the Kafka broker"), e.getMessage());
            full.set(null);
            assertTrue(engine.ready());
        }
    }

    /** A wall clock the test moves. */
    private static final class MutableClock extends Clock {
        private final AtomicLong millis;

        MutableClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Every step's ids and then the answer, as the sink saw them. */
    private static List<List<Integer>> trace(RecordingSink sink, String requestId) throws InterruptedException {
        List<List<Integer>> t = new ArrayList<>();
        for (DenoiseEvent e : sink.stepsOf(requestId)) {
            t.add(e.getIdsList());
        }
        t.add(sink.awaitFinal(requestId).getOutputIdsList());
        return t;
    }

    private static Engine engine(EventSink sink, int capacity) {
        return engine(sink, capacity, 1, EngineObserver.NONE);
    }

    private static Engine engine(EventSink sink, int capacity, int maxBatch, EngineObserver observer) {
        return engine(sink, capacity, maxBatch, observer, Clock.systemUTC());
    }

    private static Engine engine(EventSink sink, int capacity, int maxBatch, EngineObserver observer, Clock clock) {
        EngineSettings settings = new EngineSettings(dir, "cpu", "f32", capacity, maxBatch, 1);
        return new Engine(settings,
                () -> EngineModel.load(LoadOptions.of(dir, null)),
                sink, observer, clock);
    }

    private static StartRequest request(int genLength) {
        return request(GenerationOptions.newBuilder().setGenLength(genLength).setBlockLength(genLength)
                .setSteps(genLength).setNoStop(true));
    }

    private static StartRequest request(GenerationOptions.Builder options) {
        StartRequest.Builder b = StartRequest.newBuilder().setRequestId("req-" + UUID.randomUUID())
                .setOptions(options);
        for (int id : prompts.prompts().promptIds("Is the heart enlarged?", 0)) {
            b.addPromptIds(id);
        }
        return b.build();
    }

    private static void awaitReady(Engine engine) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!engine.ready()) {
            assertTrue(System.nanoTime() < until, "engine not ready: " + engine.unavailableReason());
            Thread.sleep(20);
        }
    }

    /** Records finals and answers; with {@code refuse}, every future fails as a broker error would. */
    private static class RecordingSink implements EventSink {
        final AtomicInteger steps = new AtomicInteger();
        final List<DenoiseEvent> stepEvents = Collections.synchronizedList(new ArrayList<>());
        final List<DenoiseEvent> finals = Collections.synchronizedList(new ArrayList<>());
        final List<AnswerRecord> answers = Collections.synchronizedList(new ArrayList<>());
        private final boolean refuse;
        volatile boolean closed;

        RecordingSink(boolean refuse) {
            this.refuse = refuse;
        }

        @Override
        public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
            steps.incrementAndGet();
            stepEvents.add(event);
            return result();
        }

        @Override
        public CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer) {
            synchronized (this) {
                finals.add(finalEvent);
                answers.add(answer);
                notifyAll();
            }
            return result();
        }

        synchronized void awaitFinals(int n) throws InterruptedException {
            long until = System.nanoTime() + WAIT.toNanos();
            while (finals.size() < n) {
                long left = until - System.nanoTime();
                assertTrue(left > 0, "only " + finals.size() + " of " + n + " final events within " + WAIT);
                wait(Math.max(1, left / 1_000_000));
            }
        }

        synchronized DenoiseEvent awaitFinal(String requestId) throws InterruptedException {
            long until = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (DenoiseEvent e : finals) {
                    if (e.getRequestId().equals(requestId)) {
                        return e;
                    }
                }
                long left = until - System.nanoTime();
                assertTrue(left > 0, "no final event for " + requestId + " within " + WAIT);
                wait(Math.max(1, left / 1_000_000));
            }
        }

        synchronized AnswerRecord answerOf(String requestId) {
            return answers.stream().filter(a -> a.getRequestId().equals(requestId)).findFirst().orElseThrow();
        }

        List<DenoiseEvent> stepsOf(String requestId) {
            synchronized (stepEvents) {
                return stepEvents.stream().filter(e -> e.getRequestId().equals(requestId)).toList();
            }
        }

        private CompletableFuture<Void> result() {
            return refuse ? CompletableFuture.failedFuture(new IllegalStateException("broker down"))
                    : CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
