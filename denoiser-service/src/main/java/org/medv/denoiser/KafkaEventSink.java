package org.medv.denoiser;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.medv.denoiser.engine.EngineUnavailableException;
import org.medv.denoiser.engine.EventSink;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's events on Kafka, keyed by request id (one request's events stay in one partition, in order), as the
 * protobuf bytes of the same messages the gRPC API uses.
 *
 * <p>Step events go through one plain idempotent producer. {@code KafkaProducer.send} blocks while it has no
 * metadata for the topic (an unreachable broker) or its buffer is full, so the engine thread never calls it: it
 * hands records to one publisher thread, which keeps their order. While the broker is away, step events beyond
 * {@link #MAX_STEP_BACKLOG} are dropped (drafts are superseded by the next one anyway).
 *
 * <p>Final records never are: they go to the {@link FinalOutbox} and from there, after the request's step events,
 * through the transactional {@link FinalPublisher}. Beyond {@code maxPendingFinals} waiting, the sink reports itself
 * unavailable, so new requests are refused (UNAVAILABLE) rather than answers piling up without bound.
 */
final class KafkaEventSink implements EventSink {
    static final int MAX_STEP_BACKLOG = 10_000;

    /**
     * @param transactionalId  stable per denoiser instance (a restart fences the process it replaces)
     * @param denoiserId       this instance's id, stamped on its final events and answer records
     * @param maxPendingFinals final record pairs that may wait for the broker before new requests are refused
     * @param closeTimeout     how long shutdown waits for the broker to take the finals still waiting
     */
    record Settings(String stepsTopic, String answersTopic, String transactionalId, int maxPendingFinals,
                    Duration closeTimeout, String denoiserId) {
    }

    private record Pending(ProducerRecord<String, byte[]> record, CompletableFuture<Void> done) {
    }

    private static final Pending STOP = new Pending(null, null);

    private final Settings settings;
    private final KafkaProducer<String, byte[]> steps;
    private final FinalOutbox outbox;
    private final FinalPublisher finals;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final AtomicInteger stepBacklog = new AtomicInteger();
    /** Each running request's last step event: its final waits for it. */
    private final Map<String, CompletableFuture<Void>> lastStep = new ConcurrentHashMap<>();
    private final Thread publisher;

    /**
     * @param kafka         Quarkus' {@code kafka.*} settings without the prefix (bootstrap.servers, security, ...)
     * @param attemptFailed called for every record or transaction the broker did not take (metrics)
     */
    KafkaEventSink(Map<String, Object> kafka, Settings settings, FinalOutbox outbox, Runnable attemptFailed) {
        this.settings = settings;
        Map<String, Object> props = new HashMap<>(kafka);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "medv-denoiser");
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.steps = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.outbox = outbox;
        this.finals = new FinalPublisher(kafka, settings.stepsTopic(), settings.answersTopic(),
                settings.transactionalId(), outbox, attemptFailed);
        this.publisher = new Thread(this::publish, "medv-kafka-publisher");
        this.publisher.setDaemon(true);
        this.publisher.start();
    }

    @Override
    public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
        CompletableFuture<Void> done;
        if (stepBacklog.incrementAndGet() > MAX_STEP_BACKLOG) {
            stepBacklog.decrementAndGet();
            done = CompletableFuture.failedFuture(new IllegalStateException("step event dropped: "
                    + MAX_STEP_BACKLOG + " step events wait for the broker"));
        } else {
            done = new CompletableFuture<>();
            pending.add(new Pending(FinalPublisher.traced(new ProducerRecord<>(settings.stepsTopic(), requestId,
                    event.toByteArray()), event.getTraceparent()), done));
        }
        lastStep.put(requestId, done);
        return done;
    }

    @Override
    public CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer) {
        CompletableFuture<Void> afterSteps = lastStep.remove(requestId);
        return outbox.add(requestId, stamp(finalEvent), stamp(answer),
                afterSteps == null ? CompletableFuture.completedFuture(null) : afterSteps).done();
    }

    @Override
    public void accepted(String requestId, DenoiseEvent failedFinal, AnswerRecord failedAnswer) {
        try {
            outbox.accepted(requestId, stamp(failedFinal), stamp(failedAnswer));
        } catch (UncheckedIOException e) {
            throw new EngineUnavailableException("the denoiser cannot record the request: " + e.getMessage());
        }
    }

    private DenoiseEvent stamp(DenoiseEvent finalEvent) {
        return finalEvent.toBuilder().setDenoiserId(settings.denoiserId()).build();
    }

    private AnswerRecord stamp(AnswerRecord answer) {
        return answer.toBuilder().setDenoiserId(settings.denoiserId()).build();
    }

    @Override
    public void withdrawn(String requestId) {
        outbox.withdrawn(requestId);
    }

    @Override
    public Set<String> knownIds() {
        return outbox.knownIds();
    }

    @Override
    public String unavailableReason() {
        int waiting = outbox.size();
        return waiting < settings.maxPendingFinals() ? null : waiting + " answers wait for the Kafka broker "
                + "(medv.denoiser.max-pending-finals " + settings.maxPendingFinals() + "); retry later";
    }

    /** Final record pairs waiting for the broker. */
    int pendingFinals() {
        return outbox.size();
    }

    private void publish() {
        while (true) {
            Pending p;
            try {
                p = pending.take();
            } catch (InterruptedException e) {
                return;
            }
            if (p == STOP) {
                return;
            }
            stepBacklog.decrementAndGet();
            try {
                steps.send(p.record(), (metadata, failure) -> {
                    if (failure != null) {
                        p.done().completeExceptionally(failure);
                    } else {
                        p.done().complete(null);
                    }
                });
            } catch (RuntimeException e) {
                p.done().completeExceptionally(e);
            }
        }
    }

    /**
     * Sends the step events still waiting, gives the broker {@code closeTimeout} to take the final records, then
     * closes the producers and the outbox (with a directory, what is left is sent at the next start).
     */
    @Override
    public void close() {
        pending.add(STOP);
        try {
            publisher.join(TimeUnit.SECONDS.toMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        steps.close(Duration.ofSeconds(10));
        finals.close(settings.closeTimeout());
        outbox.close();
    }
}
