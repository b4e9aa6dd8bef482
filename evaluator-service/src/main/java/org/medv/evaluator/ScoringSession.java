package org.medv.evaluator;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.medv.eval.Labels;
import org.medv.serving.TraceContext;
import org.medv.eval.QuestionResult;
import org.medv.proto.v1.AnswerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * One life of the evaluator's Kafka clients, on the loop's thread: rebuild the store from {@code medv.scores}, then
 * consume {@code medv.answers} a poll at a time (at most {@code maxPollRecords} answers). A poll's answers are
 * scored concurrently; while the judge works, the answers partitions are paused and the consumer keeps polling, so
 * a slow judge never exceeds {@code max.poll.interval.ms}. Each score is written to {@code medv.scores} as it comes
 * in; once all are acknowledged, the poll's offsets are committed. An answer whose score (without error) the store
 * already holds is not scored again: after a crash between the writes and the commit it is redelivered, and then
 * only skipped. Any Kafka failure ends the session with an exception; {@link ScoringLoop} starts a new one.
 */
final class ScoringSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ScoringSession.class);

    record Settings(String answersTopic, String scoresTopic, String groupId, int scoresPartitions,
                    short scoresReplicationFactor, int maxPollRecords) {
    }

    /** A scored answer waiting to be written by the session thread. */
    /** A score to write; {@code traceparent} is the scoring span's, for the score record's header ("" for none). */
    private record Scored(QuestionResult result, String requestId, String traceparent) {
    }

    private final Map<String, Object> kafka;
    private final Settings settings;
    private final ScoreStore store;
    private final AnswerScorer scorer;
    private final Runnable heartbeat;
    private final Counter scoredTotal;
    private final Counter unlabelled;
    private final Counter unreadable;
    private final Counter duplicates;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Tracer tracer;

    /** @param heartbeat called at every turn of the loop (liveness) */
    ScoringSession(Map<String, Object> kafka, Settings settings, ScoreStore store, AnswerScorer scorer,
                   MeterRegistry registry, Tracer tracer, Runnable heartbeat) {
        this.kafka = kafka;
        this.tracer = tracer;
        this.settings = settings;
        this.store = store;
        this.scorer = scorer;
        this.heartbeat = heartbeat;
        this.scoredTotal = registry.counter("medv.evaluator.scored");
        this.unlabelled = registry.counter("medv.evaluator.unlabelled");
        this.unreadable = registry.counter("medv.evaluator.unreadable");
        this.duplicates = registry.counter("medv.evaluator.duplicates");
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // the answers of a committed denoiser transaction only; an aborted attempt is not an answer
        c.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Consumes until {@code running} turns false (or {@link #wakeup}); throws on a Kafka failure. */
    void consume(BooleanSupplier running) throws InterruptedException {
        consumer.subscribe(List.of(settings.answersTopic()));
        while (running.getAsBoolean()) {
            heartbeat.run();
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
            if (records.isEmpty()) {
                continue;
            }
            Queue<Scored> ready = new ConcurrentLinkedQueue<>();
            int expected = 0;
            for (ConsumerRecord<String, byte[]> r : records) {
                AnswerRecord a = parse(r);
                if (a == null) {
                    unreadable.increment();
                } else if (!AnswerScorer.labelled(a)) {
                    unlabelled.increment();
                } else if (store.scored(a.getMetadata().getLabelsOrThrow(Labels.RUN_ID),
                        a.getMetadata().getLabelsOrThrow(Labels.QUESTION_ID), a.getRequestId())) {
                    duplicates.increment(); // delivered again (a restart before the commit): counted already
                } else {
                    expected++;
                    // the answer's trace goes on: a span of ours under the denoiser's, named in the score's header
                    Span span = tracer.spanBuilder("medv.evaluator.score").setSpanKind(SpanKind.CONSUMER)
                            .setParent(TraceContext.extract(r.headers())).startSpan();
                    String traceparent = TraceContext.traceparent(Context.root().with(span));
                    scorer.scoreSafely(a).thenAccept(q -> {
                        span.end();
                        ready.add(new Scored(q, a.getRequestId(), traceparent));
                    });
                }
            }
            if (!writeWhilePolling(ready, expected, running)) {
                return; // stopping: the poll's offsets stay uncommitted, its answers come again
            }
            commit(records);
            LOG.debugf("scored %d answers", expected);
        }
    }

    /**
     * Writes the {@code expected} scores as they come in and waits for their acknowledgements, pausing the
     * partitions and polling meanwhile. False when stopped before the end.
     */
    private boolean writeWhilePolling(Queue<Scored> ready, int expected, BooleanSupplier running)
            throws InterruptedException {
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        boolean paused = false;
        try {
            while (acks.size() < expected || !acks.stream().allMatch(CompletableFuture::isDone)) {
                for (Scored s; (s = ready.poll()) != null; ) {
                    acks.add(write(s));
                }
                if (acks.size() == expected && acks.stream().allMatch(CompletableFuture::isDone)) {
                    break;
                }
                if (!running.getAsBoolean()) {
                    return false;
                }
                heartbeat.run();
                consumer.pause(consumer.assignment());
                paused = true;
                ConsumerRecords<String, byte[]> extra = consumer.poll(Duration.ofMillis(100));
                // partitions assigned by a rebalance meanwhile are not paused: hand their records back
                for (TopicPartition p : extra.partitions()) {
                    consumer.seek(p, extra.records(p).get(0).offset());
                }
            }
            for (CompletableFuture<Void> a : acks) {
                a.get(); // durable before the offsets move
            }
            return true;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a score was not written to " + settings.scoresTopic() + ": "
                    + e.getCause(), e.getCause());
        } finally {
            if (paused) {
                consumer.resume(consumer.assignment());
            }
        }
    }

    private CompletableFuture<Void> write(Scored s) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(settings.scoresTopic(), null,
                ScoreCodec.key(s.result()), ScoreCodec.encode(s.result()), List.of(new RecordHeader(
                ScoreCodec.REQUEST_ID_HEADER, s.requestId().getBytes(StandardCharsets.UTF_8))));
        TraceContext.inject(s.traceparent(), record.headers());
        producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                acked.completeExceptionally(failure);
            } else {
                store.put(s.result(), s.requestId());
                scoredTotal.increment();
                acked.complete(null);
            }
        });
        return acked;
    }

    /** Commits the poll's offsets for the partitions still assigned; a lost partition's answers come again. */
    private void commit(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition p : records.partitions()) {
            if (consumer.assignment().contains(p)) {
                List<ConsumerRecord<String, byte[]>> rs = records.records(p);
                next.put(p, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            }
        }
        try {
            consumer.commitSync(next);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            LOG.warnf("offsets not committed (%s): the answers come again and are recognised", e.getMessage());
        }
    }

    /**
     * Reads {@code medv.scores} from the beginning to its current end into the store, as compaction would leave it:
     * the last value per key wins and a tombstone removes the key. A value that is not a score is skipped.
     */
    void rebuild() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, Scored> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(settings.scoresTopic(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                heartbeat.run();
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                        continue;
                    }
                    QuestionResult q = decodeScore(r);
                    if (q != null) {
                        var h = r.headers().lastHeader(ScoreCodec.REQUEST_ID_HEADER);
                        latest.put(r.key(), new Scored(q, h == null ? null
                                : new String(h.value(), StandardCharsets.UTF_8), ""));
                    }
                }
            }
        }
        latest.values().forEach(s -> store.put(s.result(), s.requestId()));
        LOG.infof("rebuilt %d scores of %d runs from %s", latest.size(), store.runs().size(),
                settings.scoresTopic());
    }

    /** Creates the compacted scores topic when it does not exist yet. */
    void provisionScoresTopic() throws InterruptedException {
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(settings.scoresTopic(), settings.scoresPartitions(),
                    settings.scoresReplicationFactor()).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf("cannot create %s: %s", settings.scoresTopic(), e.getCause().getMessage());
            }
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

    /** Makes a blocked poll of the session thread return (with a WakeupException). */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debugf("closing the answers consumer: %s", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
    }
}
