package org.medv.denoiser.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.DemoModel;
import org.medv.model.MedvModel;
import org.medv.model.sampler.GenerationOptions;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine without Quarkus or Kafka: the demo model and a sink that records (or refuses) what it is given. */
class EngineTest {
    private static Path dir;
    private static MedvModel prompts;

    @BeforeAll
    static void writeModel() throws Exception {
        dir = Files.createTempDirectory("medv-engine-test");
        DemoModel.write(dir, 7);
        prompts = MedvModel.load(MedvModel.LoadOptions.of(dir, null).withParts(MedvModel.Parts.TOKENIZER));
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
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sink.finals.size() < 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(2, sink.finals.size());
            assertTrue(engine.ready());
        }
    }

    private static Engine engine(EventSink sink, int capacity) {
        GenerationOptions defaults = GenerationOptions.defaults();
        EngineSettings settings = new EngineSettings(dir, "cpu", "f32", capacity, 1, defaults, Duration.ofSeconds(5));
        return new Engine(settings,
                () -> MedvModel.load(MedvModel.LoadOptions.of(dir, null).withParts(MedvModel.Parts.LANGUAGE)),
                sink, EngineObserver.NONE);
    }

    private static StartRequest request(int genLength) {
        StartRequest.Builder b = StartRequest.newBuilder().setRequestId("req-" + UUID.randomUUID())
                .setOptions(org.medv.proto.v1.GenerationOptions.newBuilder().setGenLength(genLength)
                        .setBlockLength(genLength).setSteps(genLength).setNoStop(true));
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
    private static final class RecordingSink implements EventSink {
        final AtomicInteger steps = new AtomicInteger();
        final List<DenoiseEvent> finals = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<AnswerRecord> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        private final boolean refuse;
        volatile boolean closed;

        RecordingSink(boolean refuse) {
            this.refuse = refuse;
        }

        @Override
        public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
            steps.incrementAndGet();
            return result();
        }

        @Override
        public CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer) {
            finals.add(finalEvent);
            answers.add(answer);
            return result();
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
