package org.medv.denoiser.engine;

import org.medv.proto.v1.FinishReason;

/** Metrics hooks, called on the engine thread; implementations must not block. */
public interface EngineObserver {
    EngineObserver NONE = new EngineObserver() {
    };

    /** One request's denoising step ran. */
    default void step() {
    }

    /** One forward ran, stepping {@code requests} requests together. */
    default void batch(int requests) {
    }

    /** One batched denoising step (a forward and the commits of every running request) took {@code nanos}. */
    default void stepDuration(long nanos) {
    }

    /** A request waited {@code nanos} in the queue, from receipt until it joined the running batch. */
    default void queueWait(long nanos) {
    }

    /** The first step of a request, {@code nanos} after the denoiser received it. */
    default void firstStep(long nanos) {
    }

    /** A request's final records were published, {@code nanos} after the denoiser received it. */
    default void finished(FinishReason reason, long nanos) {
    }

    /** The broker refused or timed out on a record. */
    default void publishFailed() {
    }
}
