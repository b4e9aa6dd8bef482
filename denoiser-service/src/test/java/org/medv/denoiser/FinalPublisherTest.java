package org.medv.denoiser;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;
import org.medv.testkit.EmbeddedKafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transactional publisher against a real in-process broker that is stopped and restarted, and against what a
 * dead process left behind: its outbox directory and an open transaction under the same transactional.id.
 */
class FinalPublisherTest {
    private static final String STEPS = "medv.denoise.steps";
    private static final String ANSWERS = "medv.answers";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, STEPS, ANSWERS);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void finalsHandedOverDuringABrokerOutageAreCommittedOnceWhenItReturns() throws Exception {
        String tx = "medv-denoiser-outage-" + UUID.randomUUID();
        AtomicReference<CountDownLatch> failures = new AtomicReference<>(new CountDownLatch(0));
        FinalOutbox outbox = FinalOutbox.open(dir);
        FinalPublisher publisher = new FinalPublisher(props(), STEPS, ANSWERS, tx, outbox,
                () -> failures.get().countDown());
        try {
            String first = id("before");
            FinalOutbox.Entry before = outbox.add(first, finalEvent(first), answer(first), done());
            before.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            CountDownLatch failedTwice = new CountDownLatch(2);
            failures.set(failedTwice);
            kafka.stopBroker();
            List<FinalOutbox.Entry> during = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = id("during-" + i);
                during.add(outbox.add(id, finalEvent(id), answer(id), done()));
            }
            assertTrue(failedTwice.await(WAIT.toSeconds(), TimeUnit.SECONDS), "attempts fail while the broker is away");
            assertTrue(during.stream().noneMatch(e -> e.done().isDone()), "nothing given up on");
            kafka.startBroker();

            for (FinalOutbox.Entry e : during) {
                e.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            Map<String, Integer> finals = committed(STEPS);
            Map<String, Integer> answers = committed(ANSWERS);
            for (FinalOutbox.Entry e : concat(before, during)) {
                assertEquals(1, finals.getOrDefault(e.requestId(), 0), "final events of " + e.requestId());
                assertEquals(1, answers.getOrDefault(e.requestId(), 0), "answer records of " + e.requestId());
            }
        } finally {
            publisher.close();
            outbox.close();
        }
    }

    @Test
    void aRestartFencesTheDeadProcessAndSendsWhatItLeftExactlyOnce() throws Exception {
        String tx = "medv-denoiser-restart-" + UUID.randomUUID();
        String sent = id("sent"), waiting = id("waiting"), running = id("running"), open = id("open");
        // the dead process: "sent" committed but its file not yet removed, "waiting" never sent, "running"
        // accepted and never finished, "open" in a transaction it never committed
        FinalOutbox dead = FinalOutbox.open(dir);
        dead.accepted(running, failedFinal(running), failedAnswer(running));
        dead.add(sent, finalEvent(sent), answer(sent), done());
        dead.add(waiting, finalEvent(waiting), answer(waiting), done());
        dead.close();
        KafkaProducer<String, byte[]> zombie = transactional(tx);
        zombie.initTransactions();
        zombie.beginTransaction();
        zombie.send(new ProducerRecord<>(STEPS, sent, finalEvent(sent).toByteArray()));
        zombie.send(new ProducerRecord<>(ANSWERS, sent, answer(sent).toByteArray()));
        zombie.commitTransaction();
        zombie.beginTransaction();
        zombie.send(new ProducerRecord<>(ANSWERS, open, answer(open).toByteArray())).get();

        FinalOutbox outbox = FinalOutbox.open(dir);
        FinalPublisher publisher = new FinalPublisher(props(), STEPS, ANSWERS, tx, outbox, () -> { });
        try {
            assertTrue(outbox.awaitEmpty(WAIT.toMillis()), "the restart sent what the dead process left");
            assertThrows(KafkaException.class, zombie::commitTransaction, "the dead process is fenced");
            Map<String, Integer> answers = committed(ANSWERS);
            assertEquals(1, answers.getOrDefault(sent, 0), "committed before the crash: not sent again");
            assertEquals(1, answers.getOrDefault(waiting, 0));
            assertEquals(1, answers.getOrDefault(running, 0), "accepted and never finished: answered FAILED");
            assertEquals(0, answers.getOrDefault(open, 0), "the open transaction was aborted");
            assertEquals(1, committed(STEPS).getOrDefault(running, 0));
        } finally {
            zombie.close(Duration.ZERO);
            publisher.close();
            outbox.close();
        }
    }

    /** Short blocking so that attempts during an outage fail (and are retried) within seconds. */
    private static Map<String, Object> props() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
        return p;
    }

    private static KafkaProducer<String, byte[]> transactional(String tx) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, tx, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Records per key that a read_committed consumer sees in {@code topic}, from the beginning to its end. */
    static Map<String, Integer> committed(String topic) {
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, topic + " not read to its end");
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    counts.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static List<FinalOutbox.Entry> concat(FinalOutbox.Entry first, List<FinalOutbox.Entry> rest) {
        List<FinalOutbox.Entry> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String id(String name) {
        return name + "-" + UUID.randomUUID();
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    private static DenoiseEvent finalEvent(String id) {
        return DenoiseEvent.newBuilder().setRequestId(id).setFinal(true)
                .setFinishReason(FinishReason.FINISH_REASON_STOP).build();
    }

    private static AnswerRecord answer(String id) {
        return AnswerRecord.newBuilder().setRequestId(id).setFinishReason(FinishReason.FINISH_REASON_STOP)
                .setFinishedUnixMs(System.currentTimeMillis()).build();
    }

    private static DenoiseEvent failedFinal(String id) {
        return finalEvent(id).toBuilder().setFinishReason(FinishReason.FINISH_REASON_FAILED).build();
    }

    private static AnswerRecord failedAnswer(String id) {
        return answer(id).toBuilder().setFinishReason(FinishReason.FINISH_REASON_FAILED)
                .setError(ErrorInfo.newBuilder().setCode("UNAVAILABLE")).build();
    }
}
