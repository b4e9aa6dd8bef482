package org.medv.model.config;

import org.medv.model.ModelLoadException;

import java.nio.file.Path;

/**
 * {@code preprocessor_config.json} of a SigLIP image processor: resize target, rescale factor, normalisation. When a
 * directory has none, the SigLIP defaults apply (bicubic to the tower's image size, 1/255, mean = std = 0.5).
 */
public record PreprocessorConfig(
        int height,
        int width,
        int resample,
        boolean doResize,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        float[] imageMean,
        float[] imageStd) {

    /** PIL's BICUBIC filter id, the only one SigLIP uses. */
    public static final int BICUBIC = 3;

    public PreprocessorConfig {
        if (height <= 0 || width <= 0) {
            throw new ModelLoadException("preprocessor size must be positive, got " + width + "x" + height);
        }
        if (imageMean.length != 3 || imageStd.length != 3) {
            throw new ModelLoadException("image_mean and image_std need 3 values");
        }
        if (resample != BICUBIC) {
            throw new ModelLoadException("preprocessor resample=" + resample + " is not supported (only 3, BICUBIC)");
        }
    }

    public static PreprocessorConfig siglipDefaults(int imageSize) {
        return new PreprocessorConfig(imageSize, imageSize, BICUBIC, true, true, 1.0 / 255.0, true,
                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /** Reads {@code dir/preprocessor_config.json}, or SigLIP defaults for {@code imageSize} when it is absent. */
    public static PreprocessorConfig load(Path dir, int imageSize) {
        Json j = dir == null ? null : Json.readIfExists(dir.resolve("preprocessor_config.json"));
        if (j == null) {
            return siglipDefaults(imageSize);
        }
        int h = imageSize;
        int w = imageSize;
        Json size = j.child("size");
        if (size != null) {
            h = size.has("height") ? size.intValue("height") : size.intValue("shortest_edge", imageSize);
            w = size.has("width") ? size.intValue("width") : h;
        }
        return new PreprocessorConfig(h, w, j.intValue("resample", BICUBIC), j.bool("do_resize", true),
                j.bool("do_rescale", true), j.doubleValue("rescale_factor", 1.0 / 255.0), j.bool("do_normalize", true),
                floats(j, "image_mean"), floats(j, "image_std"));
    }

    private static float[] floats(Json j, String key) {
        if (!j.has(key)) {
            return new float[] {0.5f, 0.5f, 0.5f};
        }
        var a = j.get(key).getAsJsonArray();
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }
}
