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
import java.util.concurrent.CompletableFuture;

/**
 * The engine's events on Kafka through one plain producer: {@code send} only appends to the producer's batch
 * buffer, so the engine thread never waits for a broker per step. Records are keyed by request id (one request's
 * events stay in one partition, in order; idempotence keeps them in order across retries) and carry the protobuf
 * bytes of the same messages the gRPC API uses.
 */
final class KafkaEventSink implements EventSink {
    private final KafkaProducer<String, byte[]> producer;
    private final String stepsTopic;
    private final String answersTopic;

    /** @param kafka Quarkus' {@code kafka.*} settings without the prefix (bootstrap.servers, security, ...) */
    KafkaEventSink(Map<String, Object> kafka, String stepsTopic, String answersTopic) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "medv-denoiser");
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        // bounds how long send() may block when the broker is unreachable (metadata) or the buffer is full
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.stepsTopic = stepsTopic;
        this.answersTopic = answersTopic;
    }

    @Override
    public CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event) {
        return send(stepsTopic, requestId, event.toByteArray());
    }

    @Override
    public CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer) {
        return CompletableFuture.allOf(send(stepsTopic, requestId, finalEvent.toByteArray()),
                send(answersTopic, requestId, answer.toByteArray()));
    }

    private CompletableFuture<Void> send(String topic, String key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
