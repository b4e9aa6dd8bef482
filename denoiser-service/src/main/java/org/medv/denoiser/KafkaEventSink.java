package org.medv.denoiser;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.medv.denoiser.engine.EventSink;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's events on Kafka through one plain producer. Records are keyed by request id (one request's events
 * stay in one partition, in order; idempotence keeps them in order across retries) and carry the protobuf bytes of
 * the same messages the gRPC API uses.
 *
 * <p>{@code KafkaProducer.send} blocks while it has no metadata for the topic (an unreachable broker) or its buffer
 * is full, so the engine thread never calls it: it hands records to one publisher thread, which keeps their order.
 * While the broker is away, step events beyond {@link #MAX_STEP_BACKLOG} are dropped (drafts are superseded by the
 * next one anyway); final events and answer records are never dropped.
 */
final class KafkaEventSink implements EventSink {
    static final int MAX_STEP_BACKLOG = 10_000;

    private record Pending(ProducerRecord<String, byte[]> record, CompletableFuture<Void> done, boolean step) {
    }

    private static final Pending STOP = new Pending(null, null, false);

    private final KafkaProducer<String, byte[]> producer;
    private final String stepsTopic;
    private final String answersTopic;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final AtomicInteger stepBacklog = new AtomicInteger();
    private final Thread publisher;

    /** @param kafka Quarkus' {@code kafka.*} settings without the prefix (bootstrap.servers, security, ...) */
    KafkaEventSink(Map<String, Object> kafka, String stepsTopic, String answersTopic) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "medv-denoiser");
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.stepsTopic = stepsTopic;
        this.answersTopic = answersTopic;
        this.publisher = new Thread(this::publish, "medv-kafka-publisher");
        this.publisher.setDaemon(true);
        this.publisher.start();
    }

    @Override
    public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
        if (stepBacklog.incrementAndGet() > MAX_STEP_BACKLOG) {
            stepBacklog.decrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("step event dropped: "
                    + MAX_STEP_BACKLOG + " step events wait for the broker"));
        }
        return enqueue(new ProducerRecord<>(stepsTopic, requestId, event.toByteArray()), true);
    }

    @Override
    public CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer) {
        return CompletableFuture.allOf(
                enqueue(new ProducerRecord<>(stepsTopic, requestId, finalEvent.toByteArray()), false),
                enqueue(new ProducerRecord<>(answersTopic, requestId, answer.toByteArray()), false));
    }

    private CompletableFuture<Void> enqueue(ProducerRecord<String, byte[]> record, boolean step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.add(new Pending(record, done, step));
        return done;
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
            if (p.step()) {
                stepBacklog.decrementAndGet();
            }
            try {
                producer.send(p.record(), (metadata, failure) -> {
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

    /** Sends what is still waiting, then flushes and closes the producer. */
    @Override
    public void close() {
        pending.add(STOP);
        try {
            publisher.join(TimeUnit.SECONDS.toMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
