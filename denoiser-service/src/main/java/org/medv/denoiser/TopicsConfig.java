package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code medv.topics.*}: where the step events and the answer records go. */
@ConfigMapping(prefix = "medv.topics")
public interface TopicsConfig {
    @WithDefault("medv.denoise.steps")
    String steps();

    @WithDefault("medv.answers")
    String answers();
}
