package org.medv.model.image;

import org.medv.model.ModelLoadException;
import org.medv.model.config.LlavaConfig;
import org.medv.model.config.PreprocessorConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a decoded image into the vision tower's input, as LLaVA's {@code mm_utils.process_images} followed by
 * {@code SigLipImageProcessor.preprocess} do (llava-medv.md section 4.3):
 * <ul>
 *   <li>{@code pad}: {@code expand2square} onto a square filled with {@code int(mean * 255)}, then preprocess: one
 *   crop;</li>
 *   <li>{@code square}: preprocess directly (a stretch): one crop;</li>
 *   <li>{@code anyres}, {@code anyres_max_N}: {@code process_anyres_image}: a base view {@code image.resize((S, S))}
 *   followed by the tiles of the image fitted and padded to the best pinpoint resolution ({@link AnyResGrid}).</li>
 * </ul>
 * Preprocess is a PIL bicubic resize to the processor size ({@link PilResize}; a no-op for tiles already that size),
 * a rescale and a normalisation, channels first.
 */
public final class ImagePreprocessor {
    private enum Mode { PAD, SQUARE, ANYRES }

    private final PreprocessorConfig config;
    private final Mode mode;
    private final List<int[]> pinpoints;
    /** Per channel, the normalised float of each 8-bit value: the arithmetic is per value, so a table is exact. */
    private final float[][] lookup;

    public ImagePreprocessor(PreprocessorConfig config, LlavaConfig llava) {
        this.config = config;
        this.mode = llava.anyres() ? Mode.ANYRES : llava.imageAspectRatio().equals("pad") ? Mode.PAD : Mode.SQUARE;
        this.pinpoints = mode == Mode.ANYRES ? checkedPinpoints(llava, config) : List.of();
        this.lookup = normalisationTable(config);
    }

    public PixelValues process(RgbImage image) {
        AnyResGrid grid = grid(image);
        List<RgbImage> crops = crops(image, grid);
        RgbImage first = crops.get(0);
        int plane = first.width() * first.height();
        float[] data = new float[crops.size() * 3 * plane];
        for (int i = 0; i < crops.size(); i++) {
            writeChannelsFirst(crops.get(i), data, i * 3 * plane);
        }
        return new PixelValues(crops.size(), first.height(), first.width(), data,
                grid == null ? 0 : grid.columns(), grid == null ? 0 : grid.rows(), image.width(), image.height());
    }

    /** The anyres tiling chosen for this image, or null when the mode has a single crop. */
    public AnyResGrid grid(RgbImage image) {
        return mode == Mode.ANYRES
                ? AnyResGrid.select(image.width(), image.height(), pinpoints, config.height()) : null;
    }

    /** The 8-bit crops in tower order, padded, tiled and resized, before rescale and normalisation. */
    public List<RgbImage> crops(RgbImage image) {
        return crops(image, grid(image));
    }

    private List<RgbImage> crops(RgbImage image, AnyResGrid grid) {
        return switch (mode) {
            case PAD -> List.of(resize(expandToSquare(image)));
            case SQUARE -> List.of(resize(image));
            case ANYRES -> {
                List<RgbImage> out = new ArrayList<>();
                // the base view is a plain stretch, not padded (upstream's "FIXME: ... resizes instead of pad")
                int side = Math.min(config.height(), config.width());
                out.add(resize(PilResize.bicubic(image, side, side)));
                for (RgbImage tile : grid.tiles(grid.resizeAndPad(image))) {
                    out.add(resize(tile));
                }
                yield out;
            }
        };
    }

    /** {@code expand2square}: centred at {@code ((side - w) // 2, (side - h) // 2)} on a mean-coloured square. */
    RgbImage expandToSquare(RgbImage image) {
        int w = image.width();
        int h = image.height();
        if (w == h) {
            return image;
        }
        int side = Math.max(w, h);
        float[] mean = config.imageMean();
        // tuple(int(x * 255) for x in image_processor.image_mean)
        RgbImage canvas = RgbImage.filled(side, side,
                (int) (mean[0] * 255.0), (int) (mean[1] * 255.0), (int) (mean[2] * 255.0));
        return canvas.pasted(image, (side - w) / 2, (side - h) / 2);
    }

    /** The processor's resize to {@code (height, width)} with PIL bicubic, when {@code do_resize} is set. */
    private RgbImage resize(RgbImage image) {
        return config.doResize() ? PilResize.bicubic(image, config.width(), config.height()) : image;
    }

    private void writeChannelsFirst(RgbImage crop, float[] out, int offset) {
        byte[] rgb = crop.rgb();
        int plane = crop.width() * crop.height();
        for (int c = 0; c < 3; c++) {
            float[] table = lookup[c];
            int base = offset + c * plane;
            for (int p = 0; p < plane; p++) {
                out[base + p] = table[rgb[p * 3 + c] & 0xff];
            }
        }
    }

    /**
     * Rescale and normalise in float32, {@code (x * float(rescale_factor) - mean) / std}, as the torch image
     * processors do (the golden pixel values match this bit for bit; numpy's float64 rescale differs by one ulp on
     * about half the values). Computed once per channel for every 8-bit value.
     */
    private static float[][] normalisationTable(PreprocessorConfig config) {
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = config.doRescale() ? v * (float) config.rescaleFactor() : v;
                table[c][v] = config.doNormalize() ? (x - config.imageMean()[c]) / config.imageStd()[c] : x;
            }
        }
        return table;
    }

    private static List<int[]> checkedPinpoints(LlavaConfig llava, PreprocessorConfig config) {
        if (config.height() != config.width()) {
            throw new ModelLoadException("anyres needs a square processor size, got " + config.width() + "x"
                    + config.height());
        }
        int crop = config.height();
        List<int[]> pins = llava.pinpoints(crop);
        if (pins.isEmpty()) {
            throw new ModelLoadException("image_aspect_ratio " + llava.imageAspectRatio()
                    + " needs at least one image_grid_pinpoints entry");
        }
        for (int[] p : pins) {
            if (p.length != 2 || p[0] <= 0 || p[1] <= 0 || p[0] % crop != 0 || p[1] % crop != 0) {
                throw new ModelLoadException("image_grid_pinpoints entry " + Arrays.toString(p)
                        + " is not a [width, height] multiple of the crop size " + crop);
            }
        }
        return pins;
    }
}
