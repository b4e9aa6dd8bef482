package org.medv.model;

import org.medv.model.image.ImageDecoder;

import java.nio.file.Path;
import java.util.List;

/**
 * How a model directory is loaded, whole ({@link MedvModel}) or one side of it ({@link VisionSide},
 * {@link LanguageSide}).
 *
 * @param modelDir       a LLaVA-LLaDA (or text-only LLaDA) directory with config.json and safetensors
 * @param visionTowerDir a stand-alone SigLIP directory, or null to use the model's own tower / vision_config
 * @param device         "cpu" or "gpu"
 * @param dtype          "f32" or "f16"
 * @param maxImagePixels decoded images above this many pixels are rejected
 * @param hubCaches      Hugging Face hub caches searched for {@code mm_vision_tower} (see VisionTowerLocator)
 */
public record LoadOptions(Path modelDir, Path visionTowerDir, String device, String dtype, long maxImagePixels,
                          List<Path> hubCaches) {
    public static LoadOptions of(Path modelDir, Path visionTowerDir) {
        return new LoadOptions(modelDir, visionTowerDir, "cpu", "f32", ImageDecoder.PIL_MAX_IMAGE_PIXELS, List.of());
    }
}
