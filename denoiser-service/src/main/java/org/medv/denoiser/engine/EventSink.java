package org.medv.denoiser.engine;

import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where the engine's events go (Kafka in the service). Every method returns at once; a future completes when the
 * broker has taken the record(s), so the engine never waits on a round trip.
 */
public interface EventSink extends AutoCloseable {
    /** One intermediate step of {@code requestId}, keyed by it; may be dropped while the broker is away. */
    CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event);

    /**
     * The final step event and the answer record of {@code requestId}, each keyed by it, published together and
     * never dropped: the future completes once the broker has committed both (it fails only if the sink closes
     * first).
     */
    CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer);

    /**
     * A request was accepted. Should this process die before its final is published, a sink that keeps a journal
     * publishes these FAILED records for it after the restart. Throws EngineUnavailableException when it cannot
     * record the request (the request is then refused).
     */
    default void accepted(String requestId, DenoiseEvent failedFinal, AnswerRecord failedAnswer) {
    }

    /** An accepted request was refused after all (queue full): forget it. */
    default void withdrawn(String requestId) {
    }

    /** Request ids this sink holds or recently published, also from before a restart: duplicates to refuse. */
    default Set<String> knownIds() {
        return Set.of();
    }

    /** Why no new request should be accepted now (too many answers wait for the broker), or null. */
    default String unavailableReason() {
        return null;
    }

    @Override
    void close();
}
