package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** {@code medv.model.*}: which model the engine loads, and where it runs. */
@ConfigMapping(prefix = "medv.model")
public interface ModelConfig {
    /** The LLaDA-MedV directory ({@code MEDV_MODEL_DIR}); required. */
    Path dir();

    @WithDefault("cpu")
    String device();

    @WithDefault("f32")
    String dtype();
}
