package org.medv.vision;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code medv.*} keys this service reads (docs/architecture.md, "Configuration keys"). Only
 * {@link VisionBeans} turns them into the core records; nothing else sees this interface.
 */
@ConfigMapping(prefix = "medv")
public interface VisionConfig {
    Model model();

    Vision vision();

    interface Model {
        /** The LLaDA-MedV model directory [MEDV_MODEL_DIR]. */
        Path dir();

        /** A stand-alone SigLIP directory [MEDV_VISION_TOWER]; otherwise the model's own tower is located. */
        Optional<Path> visionTower();

        /** Hugging Face hub caches searched for {@code mm_vision_tower}. */
        Optional<List<Path>> hubCaches();

        @WithDefault("cpu")
        String device();

        /** Compute dtype of the tower and projector (f32 or f16). */
        @WithDefault("f32")
        String dtype();
    }

    interface Vision {
        @WithDefault("20971520")
        int maxImageBytes();

        /** Pillow's MAX_IMAGE_PIXELS; checked from the image header before any pixel is decoded. */
        @WithDefault("89478485")
        long maxPixels();

        @WithDefault("64")
        int cacheEntries();

        /** Encodes waiting for the model thread; one more is answered RESOURCE_EXHAUSTED. */
        @WithDefault("16")
        int queueCapacity();

        /** Wire dtype of the embeddings (f32 or f16); the model computes in medv.model.dtype regardless. */
        @WithDefault("f32")
        String dtype();
    }
}
