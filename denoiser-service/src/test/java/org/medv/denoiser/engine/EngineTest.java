package org.medv.denoiser.engine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.DemoModel;
import org.medv.model.InvalidRequestException;
import org.medv.model.MedvModel;
import org.medv.model.config.GenerationDefaults;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Remasking;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.TokenIds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

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
    private static MedvModel prompts;

    @BeforeAll
    static void writeModel() throws Exception {
        dir = Files.createTempDirectory("medv-engine-test");
        DemoModel.write(dir, 7);
        GenerationDefaults.declare(dir, Map.of("gen_length", 8, "block_length", 4, "steps", 8));
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

    private static Engine engine(EventSink sink, int capacity) {
        EngineSettings settings = new EngineSettings(dir, "cpu", "f32", capacity, 1, Duration.ofSeconds(5));
        return new Engine(settings,
                () -> MedvModel.load(MedvModel.LoadOptions.of(dir, null).withParts(MedvModel.Parts.LANGUAGE)),
                sink, EngineObserver.NONE);
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
    private static final class RecordingSink implements EventSink {
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
