package org.medv.model.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medv.model.Golden;
import org.medv.model.config.LlavaConfig;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.PreprocessorConfig;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole preprocessing path against the upstream reference's tensors (testdata/golden). */
class ImagePreprocessorTest {
    /** Bit-identical today (float32 rescale, see ImagePreprocessor); the margin allows other float paths. */
    private static final float TOLERANCE = 1e-5f;
    /** The tiny tower's image size, also the anyres crop size. */
    private static final int SIZE = 56;

    private static PreprocessorConfig preprocessor() {
        return PreprocessorConfig.load(Golden.base().resolve("vision_tower"), SIZE);
    }

    private static LlavaConfig llava(Path set) {
        return ModelConfig.load(set.resolve("model")).llava();
    }

    private static LlavaConfig withAspectRatio(LlavaConfig c, String aspectRatio) {
        return new LlavaConfig(c.mmHiddenSize(), c.mmProjectorType(), c.mmVisionTower(), aspectRatio,
                c.mmPatchMergeType(), c.imageGridPinpoints(), c.imageGridRange(), c.tokenizerModelMaxLength());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void padResizeIsByteExact(int n) {
        Path set = Golden.base();
        ImagePreprocessor p = new ImagePreprocessor(preprocessor(), llava(set));
        RgbImage crop = p.crops(GoldenImages.image(set, "image" + n + ".png")).get(0);
        assertArrayEquals(new long[] {SIZE, SIZE, 3}, GoldenImages.shape(set, "image" + n + ".resized_u8"));
        assertArrayEquals(GoldenImages.u8(set, "image" + n + ".resized_u8"), crop.rgb(), "image" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void padPixelValues(int n) {
        Path set = Golden.base();
        RgbImage image = GoldenImages.image(set, "image" + n + ".png");
        PixelValues pv = new ImagePreprocessor(preprocessor(), llava(set)).process(image);
        assertEquals(1, pv.crops());
        assertFalse(pv.anyres());
        assertEquals(image.width(), pv.imageWidth());
        assertEquals(image.height(), pv.imageHeight());
        assertArrayEquals(new long[] {1, 3, SIZE, SIZE}, pv.shape());
        assertClose(GoldenImages.f32(set, "image" + n + ".pixel_values"), pv.data(), "image" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void anyresPixelValuesAndGrid(int n) {
        Path set = Golden.anyres();
        LlavaConfig llava = llava(set);
        assertEquals("anyres_max_4", llava.imageAspectRatio());
        PixelValues pv = new ImagePreprocessor(preprocessor(), llava).process(GoldenImages.image(set,
                "image" + n + ".png"));
        JsonObject expected = perImage(set, "anyres_max_4", n);
        JsonArray grid = expected.getAsJsonArray("grid_w_h");
        assertTrue(pv.anyres());
        assertEquals(expected.get("crops").getAsInt(), pv.crops(), "crops of image" + n);
        assertEquals(grid.get(0).getAsInt(), pv.gridColumns(), "grid width of image" + n);
        assertEquals(grid.get(1).getAsInt(), pv.gridRows(), "grid height of image" + n);
        String tensor = "anyres_max_4.image" + n + ".pixel_values";
        assertArrayEquals(GoldenImages.shape(set, tensor), pv.shape());
        assertClose(GoldenImages.f32(set, tensor), pv.data(), "image" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void padVariantOfAnyresSet(int n) {
        Path set = Golden.anyres();
        ImagePreprocessor p = new ImagePreprocessor(preprocessor(), withAspectRatio(llava(set), "pad"));
        PixelValues pv = p.process(GoldenImages.image(set, "image" + n + ".png"));
        JsonObject expected = perImage(set, "pad_spatial_unpad", n);
        assertEquals(expected.get("crops").getAsInt(), pv.crops());
        assertTrue(expected.get("grid_w_h").isJsonNull());
        assertFalse(pv.anyres());
        assertClose(GoldenImages.f32(set, "pad_spatial_unpad.image" + n + ".pixel_values"), pv.data(),
                "image" + n);
    }

    @Test
    void squareStretchesWithoutPadding() {
        Path set = Golden.base();
        RgbImage image = GoldenImages.image(set, "image0.png");
        ImagePreprocessor p = new ImagePreprocessor(preprocessor(), withAspectRatio(llava(set), "square"));
        assertEquals(PilResize.bicubic(image, SIZE, SIZE), p.crops(image).get(0));
    }

    @Test
    void padBackgroundIsIntOfMeanTimes255() {
        ImagePreprocessor p = new ImagePreprocessor(preprocessor(), llava(Golden.base()));
        RgbImage square = p.expandToSquare(RgbImage.filled(5, 2, 9, 9, 9));
        assertEquals(5, square.height());
        // offset (side - h) // 2 = 1: row 0 is background, rows 1-2 are the image, rows 3-4 background
        assertEquals(127, square.sample(0, 0, 0));
        assertEquals(9, square.sample(4, 1, 2));
        assertEquals(9, square.sample(0, 2, 1));
        assertEquals(127, square.sample(2, 3, 0));
    }

    private static JsonObject perImage(Path set, String variant, int n) {
        JsonObject v = Golden.expected(set).getAsJsonObject("variants").getAsJsonObject(variant);
        JsonObject entry = v.getAsJsonArray("per_image").get(n).getAsJsonObject();
        assertEquals("image" + n + ".png", entry.get("image").getAsString());
        return entry;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            float d = Math.abs(expected[i] - actual[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE, what + ": max |diff| " + worst + " at flat index " + at);
    }
}
