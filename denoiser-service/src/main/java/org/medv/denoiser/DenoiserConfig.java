package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.medv.denoiser.engine.EngineSettings;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;

import java.time.Duration;

/** {@code medv.denoiser.*}; {@link #settings} turns it (with the model keys) into the engine's record. */
@ConfigMapping(prefix = "medv.denoiser")
public interface DenoiserConfig {
    @WithDefault("16")
    int queueCapacity();

    @WithDefault("1")
    int stepStride();

    @WithDefault("128")
    int defaultGenLength();

    @WithDefault("128")
    int defaultBlockLength();

    @WithDefault("128")
    int defaultSteps();

    /** How long the engine waits for the broker to acknowledge a request's final records. */
    @WithDefault("30s")
    Duration finalFlushTimeout();

    default EngineSettings settings(ModelConfig model) {
        GenerationOptions defaults = new GenerationOptions(defaultGenLength(), defaultBlockLength(), defaultSteps(),
                0.0, 0L, 0.0, Remasking.LOW_CONFIDENCE, null, null);
        return new EngineSettings(model.dir(), model.device(), model.dtype(), queueCapacity(), stepStride(),
                defaults, finalFlushTimeout());
    }
}
