package org.medv.evaluator;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.medv.eval.QuestionResult;
import org.medv.proto.v1.AnswerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The evaluator's one consumer thread. At start it rebuilds every run's scores from the compacted
 * {@code medv.scores} topic; then it consumes {@code medv.answers}: each labelled answer is scored, the score is
 * written to {@code medv.scores} and acknowledged by the broker, and only then is the answer's offset committed.
 * A crash between the two redelivers the answer, whose score then replaces itself (same key): no score is lost and
 * none is counted twice.
 */
@ApplicationScoped
public class EvaluatorLoop {
    private static final Logger LOG = Logger.getLogger(EvaluatorLoop.class);

    @Inject
    EvaluatorConfig config;

    @Inject
    ScoreStore store;

    @Inject
    AnswerScorerFactory scorers;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    MeterRegistry registry;

    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile String failure;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::run, "medv-evaluator");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }

    public boolean ready() {
        return ready;
    }

    public String failure() {
        return failure;
    }

    private void run() {
        AnswerScorer scorer = scorers.create();
        Counter scored = registry.counter("medv.evaluator.scored");
        Counter skipped = registry.counter("medv.evaluator.unlabelled");
        Counter unreadable = registry.counter("medv.evaluator.unreadable");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            provisionScoresTopic();
            rebuild();
            ready = true;
            try (KafkaConsumer<String, byte[]> c = answersConsumer()) {
                consumer = c;
                c.subscribe(List.of(config.answersTopic()));
                while (running) {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    if (records.isEmpty()) {
                        continue;
                    }
                    List<CompletableFuture<QuestionResult>> results = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> r : records) {
                        AnswerRecord answer = parse(r);
                        if (answer == null) {
                            unreadable.increment();
                        } else if (AnswerScorer.labelled(answer)) {
                            results.add(scorer.scoreSafely(answer));
                        } else {
                            skipped.increment();
                        }
                    }
                    List<Future<?>> acks = new ArrayList<>();
                    List<QuestionResult> done = new ArrayList<>();
                    for (CompletableFuture<QuestionResult> f : results) {
                        QuestionResult q = f.join();
                        done.add(q);
                        acks.add(producer.send(new ProducerRecord<>(config.scoresTopic(), ScoreCodec.key(q),
                                ScoreCodec.encode(q))));
                    }
                    for (Future<?> a : acks) {
                        a.get(); // durable before the answers' offsets move
                    }
                    done.forEach(store::put);
                    scored.increment(done.size());
                    c.commitSync();
                    LOG.debugf("scored %d answers", done.size());
                }
            }
        } catch (WakeupException e) {
            // shutdown
        } catch (Exception e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            ready = false;
            LOG.errorf("evaluator stopped: %s", failure);
        }
    }

    /**
     * An answer record, or null for one that is not (a tombstone, or bytes that are not an AnswerRecord): such a
     * record can never be scored, so it is skipped rather than retried forever.
     */
    private static AnswerRecord parse(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            LOG.warnf("skipping an empty record at %s-%d@%d", r.topic(), r.partition(), r.offset());
            return null;
        }
        try {
            return AnswerRecord.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("skipping a record at %s-%d@%d that is not an AnswerRecord: %s", r.topic(), r.partition(),
                    r.offset(), e.getMessage());
            return null;
        }
    }

    /**
     * Reads {@code medv.scores} from the beginning to its current end into the store, as compaction would leave it:
     * the last value per key wins and a tombstone removes the key. A value that is not a score is skipped.
     */
    private void rebuild() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, QuestionResult> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(config.scoresTopic(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                        continue;
                    }
                    QuestionResult q = decodeScore(r);
                    if (q != null) {
                        latest.put(r.key(), q);
                    }
                }
            }
        }
        latest.values().forEach(store::put);
        LOG.infof("rebuilt %d scores of %d runs from %s", latest.size(), store.runs().size(), config.scoresTopic());
    }

    private static QuestionResult decodeScore(ConsumerRecord<String, byte[]> r) {
        try {
            QuestionResult q = ScoreCodec.decode(r.value());
            if (q != null && q.runId() != null && q.questionId() != null) {
                return q;
            }
            LOG.warnf("skipping a score without run or question id at %s-%d@%d", r.topic(), r.partition(),
                    r.offset());
        } catch (RuntimeException e) {
            LOG.warnf("skipping a record at %s-%d@%d that is not a score: %s", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
        }
        return null;
    }

    private void provisionScoresTopic() throws InterruptedException {
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(config.scoresTopic(), config.scoresPartitions(), (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("cannot create %s: %s", config.scoresTopic(), e.getCause().getMessage());
            }
        }
    }

    private KafkaConsumer<String, byte[]> answersConsumer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
