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
    @WithDefault("16")
    int queueCapacity();

    @WithDefault("1")
    int stepStride();

    /** How long the engine waits for the broker to acknowledge a request's final records. */
    @WithDefault("30s")
    Duration finalFlushTimeout();

    default EngineSettings settings(ModelConfig model) {
        return new EngineSettings(model.dir(), model.device(), model.dtype(), queueCapacity(), stepStride(),
                finalFlushTimeout());
    }
}
