package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.medv.denoiser.engine.EngineSettings;

import java.time.Duration;

/**
 * {@code medv.denoiser.*}; {@link #settings} turns it (with the model keys) into the engine's record. The sampler
 * defaults are not configuration: they are the model's ({@code generation_config.json}).
 */
@ConfigMapping(prefix = "medv.denoiser")
public interface DenoiserConfig {
    /** Requests that may wait for a place in the running batch; beyond this (plus the batch) Start is refused. */
    @WithDefault("64")
    int queueCapacity();

    /** Requests decoded together, sharing each forward (1: one at a time). */
    @WithDefault("8")
    int maxBatch();

    @WithDefault("1")
    int stepStride();

    /** How long the engine waits for the broker to acknowledge a request's final records. */
    @WithDefault("30s")
    Duration finalFlushTimeout();

    default EngineSettings settings(ModelConfig model) {
        return new EngineSettings(model.dir(), model.device(), model.dtype(), queueCapacity(), maxBatch(), stepStride(),
                finalFlushTimeout());
    }
}
