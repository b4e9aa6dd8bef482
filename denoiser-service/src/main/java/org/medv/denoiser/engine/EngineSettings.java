package org.medv.denoiser.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the engine needs to know, as plain values (the Quarkus adapter fills it from {@code @ConfigMapping}).
 *
 * @param queueCapacity     requests that may wait for the engine (the running ones not counted)
 * @param maxBatch          requests decoded together, sharing each forward
 * @param stepStride        publish every Nth step event (the final event always)
 * @param holdLabel         for fault tests only, null otherwise: a request carrying this metadata label is held after
 *                          its first step until it is cancelled (or times out, or the engine closes), so that a test
 *                          can cancel a request that is provably still running ({@code medv.denoiser.hold-label})
 */
public record EngineSettings(Path modelDir, String device, String dtype, int queueCapacity, int maxBatch,
                             int stepStride, String holdLabel) {
    public EngineSettings(Path modelDir, String device, String dtype, int queueCapacity, int maxBatch,
                          int stepStride) {
        this(modelDir, device, dtype, queueCapacity, maxBatch, stepStride, null);
    }

    public EngineSettings {
        Objects.requireNonNull(modelDir, "medv.model.dir");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("medv.denoiser.queue-capacity must be >= 1, got " + queueCapacity);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("medv.denoiser.max-batch must be >= 1, got " + maxBatch);
        }
        if (stepStride < 1) {
            throw new IllegalArgumentException("medv.denoiser.step-stride must be >= 1, got " + stepStride);
        }
    }
}
