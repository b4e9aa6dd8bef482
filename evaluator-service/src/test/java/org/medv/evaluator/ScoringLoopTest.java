package org.medv.evaluator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.eval.JudgeScore;
import org.medv.eval.QuestionResult;
import org.medv.eval.vqa.ClosedRule;
import org.medv.proto.v1.AnswerRecord;
import org.medv.testkit.EmbeddedKafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator's consumer loop against a real in-process broker, without Quarkus: restarted mid-run, held up by a
 * judge slower than {@code max.poll.interval.ms}, and cut off from the broker while it writes.
 */
class ScoringLoopTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /**
     * Evaluator A scores q1, q2 and q4 (written to the scores topic) while the judge still reviews q3, and dies
     * before it commits. Evaluator B, with a fresh store, rebuilds from the scores topic and gets all four answers
     * again: it recognises the three it already holds, scores only q3, and counts four questions.
     */
    @Test
    void anEvaluatorRestartedMidRunCountsEveryQuestionOnce() throws Exception {
        Scenario t = new Scenario("restart");
        String run = "run-restart";
        List<AnswerRecord> answers = List.of(Answers.vqa(run, "vqa-rad", "q1", "CLOSED", "yes", "yes"),
                Answers.vqa(run, "vqa-rad", "q2", "OPEN", "left lung", "left lung"),
                Answers.qa50(run, "q3", "conversation", "chest_xray", "A consolidation."),
                Answers.vqa(run, "vqa-rad", "q4", "CLOSED", "no", "yes"));
        answers.forEach(t::send);

        ScoreStore storeA = new ScoreStore();
        ScoringLoop a = loop(t, storeA, (item, answer) -> new CompletableFuture<>(), new SimpleMeterRegistry(),
                Map.of());
        a.start();
        await("A scored the three VQA answers", () -> storeA.results(run).size() == 3);
        a.stop();
        assertEquals(3, t.scores().size(), "written before the crash, offsets not committed");

        AtomicInteger judged = new AtomicInteger();
        ScoreStore storeB = new ScoreStore();
        MeterRegistry metersB = new SimpleMeterRegistry();
        ScoringLoop b = loop(t, storeB, (item, answer) -> {
            judged.incrementAndGet();
            return CompletableFuture.completedFuture(new JudgeScore(8, 6));
        }, metersB, Map.of());
        b.start();
        try {
            await("B scored q3", () -> storeB.results(run).size() == 4);
            assertEquals(List.of("q1", "q2", "q3", "q4"),
                    storeB.results(run).stream().map(QuestionResult::questionId).toList());
            assertEquals(3.0, metersB.counter("medv.evaluator.duplicates").count(), "recognised, not rescored");
            assertEquals(1, judged.get());
            assertEquals(Map.of(run + "/q1", 1, run + "/q2", 1, run + "/q3", 1, run + "/q4", 1), t.scores());

            // the same question answered again (a new request): it replaces its score, it does not add one
            t.send(Answers.vqa(run, "vqa-rad", "q4", "CLOSED", "no", "no").toBuilder()
                    .setRequestId(run + "-q4-again").build());
            await("the second answer of q4 replaced the first", () -> storeB.results(run).get(3).vqa().hit());
            assertEquals(4, storeB.results(run).size());
        } finally {
            b.stop();
        }
    }

    /** A judge 4 s slow against a 1.5 s max.poll.interval.ms: the loop keeps polling and keeps its partition. */
    @Test
    void aJudgeSlowerThanTheMaxPollIntervalNeitherLosesThePartitionNorRepeatsTheWork() throws Exception {
        Scenario t = new Scenario("slow");
        String run = "run-slow";
        t.send(Answers.qa50(run, "j1", "conversation", "chest_xray", "A consolidation."));
        AtomicInteger judged = new AtomicInteger();
        MeterRegistry meters = new SimpleMeterRegistry();
        ScoreStore store = new ScoreStore();
        ScoringLoop loop = loop(t, store, (item, answer) -> {
            judged.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> new JudgeScore(8, 6),
                    CompletableFuture.delayedExecutor(4, TimeUnit.SECONDS));
        }, meters, Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 1500));
        loop.start();
        try {
            await("the offset committed", () -> t.committed() == 1);
            assertEquals(1, store.results(run).size());
            assertEquals(1, judged.get(), "reviewed once");
            assertEquals(0.0, meters.counter("medv.evaluator.duplicates").count(),
                    "not delivered again: the consumer stayed in its group");
            assertEquals(0.0, meters.counter("medv.evaluator.restarts").count());
        } finally {
            loop.stop();
        }
    }

    /**
     * The broker goes away while a score is being written: the session fails, the loop waits and starts a new one,
     * and once the broker is back the answer is scored, once.
     */
    @Test
    void aBrokerOutageWhileWritingEndsTheSessionAndANewOneScoresTheAnswerOnce() throws Exception {
        Scenario t = new Scenario("outage");
        String run = "run-outage";
        t.send(Answers.qa50(run, "o1", "conversation", "chest_xray", "A consolidation."));
        CompletableFuture<JudgeScore> firstReview = new CompletableFuture<>();
        CountDownLatch reviewing = new CountDownLatch(1);
        MeterRegistry meters = new SimpleMeterRegistry();
        ScoreStore store = new ScoreStore();
        ScoringLoop loop = loop(t, store, (item, answer) -> {
            reviewing.countDown();
            return firstReview.isDone() ? CompletableFuture.completedFuture(new JudgeScore(8, 6)) : firstReview;
        }, meters, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000,
                // the failed session cannot leave its group while the broker is away: let the group notice soon
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000));
        loop.start();
        try {
            assertTrue(reviewing.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            kafka.stopBroker();
            try {
                firstReview.complete(new JudgeScore(8, 6));
                await("the session failed", () -> meters.counter("medv.evaluator.restarts").count() >= 1);
                assertNotNull(loop.failure());
                assertTrue(loop.alive(Duration.ofMinutes(1)), "waiting to retry is not being stuck");
            } finally {
                kafka.startBroker();
            }
            await("scored after the broker came back", () -> store.results(run).size() == 1);
            await("ready again", loop::ready);
            assertEquals(Map.of(run + "/o1", 1), t.scores());
        } finally {
            loop.stop();
        }
    }

    private static ScoringLoop loop(Scenario t, ScoreStore store, AnswerScorer.Judge judge, MeterRegistry meters,
                                    Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new ScoringLoop(props, new ScoringSession.Settings(t.answers, t.scores, t.group, 1, (short) 1, 10),
                store, () -> new AnswerScorer(ClosedRule.SUBSTRING, 3, judge), meters);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " did not happen within " + WAIT);
            Thread.sleep(50);
        }
    }

    /** One test's topics (answers in one partition) and consumer group. */
    private static final class Scenario {
        final String answers;
        final String scores;
        final String group;

        Scenario(String name) {
            answers = "answers-" + name;
            scores = "scores-" + name;
            group = "evaluator-" + name;
            kafka.createTopics(1, answers);
        }

        void send(AnswerRecord a) {
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(answers, 0, a.getRequestId(), a.toByteArray())).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot produce", e);
            }
        }

        /** Score records per key, from the beginning of the scores topic to its end. */
        Map<String, Integer> scores() {
            Map<String, Integer> counts = new HashMap<>();
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = c.partitionsFor(scores).stream()
                        .map(p -> new TopicPartition(scores, p.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        counts.merge(r.key(), 1, Integer::sum);
                    }
                }
            }
            return counts;
        }

        /** The group's committed offset of the answers partition (0 when none). */
        long committed() {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(new TopicPartition(answers, 0));
                return o == null ? 0 : o.offset();
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the committed offsets", e);
            }
        }
    }
}
