package org.medv.denoiser.engine;

import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;

import java.util.concurrent.CompletableFuture;

/**
 * Where the engine's events go (Kafka in the service). Both methods return at once; the future completes when the
 * broker has acknowledged the record(s), so the engine never waits on a round trip per step.
 */
public interface EventSink extends AutoCloseable {
    /** One intermediate step of {@code requestId}, keyed by it. */
    CompletableFuture<Void> publishStep(String requestId, DenoiseEvent event);

    /** The final step event and the answer record of {@code requestId}, each keyed by it. */
    CompletableFuture<Void> publishFinal(String requestId, DenoiseEvent finalEvent, AnswerRecord answer);

    @Override
    void close();
}
