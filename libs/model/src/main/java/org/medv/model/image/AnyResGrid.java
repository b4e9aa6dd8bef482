package org.medv.model.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The anyres tiling of one image (LLaVA-NeXT {@code llava/mm_utils.py}): the chosen canvas resolution, which is
 * {@code columns x rows} crops of {@code cropSize}. The arithmetic follows the Python code exactly (double-precision
 * division, {@code int()} truncation, {@code math.ceil}), because a one-pixel difference changes every tile.
 *
 * @param width  canvas width in pixels, a multiple of {@code cropSize}
 * @param height canvas height in pixels, a multiple of {@code cropSize}
 */
public record AnyResGrid(int width, int height, int cropSize) {

    public AnyResGrid {
        if (cropSize <= 0 || width <= 0 || height <= 0 || width % cropSize != 0 || height % cropSize != 0) {
            throw new IllegalArgumentException("anyres resolution " + width + "x" + height
                    + " is not a positive multiple of the crop size " + cropSize);
        }
    }

    /** Tiles across ({@code get_anyres_image_grid_shape}'s width). */
    public int columns() {
        return width / cropSize;
    }

    /** Tiles down. */
    public int rows() {
        return height / cropSize;
    }

    /**
     * {@code select_best_resolution}: the pinpoint that keeps the most of the image's pixels after an
     * aspect-preserving fit, {@code min(int(W*s) * int(H*s), W*H)} with {@code s = min(w/W, h/H)}; on a tie the one
     * with less empty area. The first best pinpoint in list order wins.
     *
     * @param pinpoints candidate {@code [width, height]} resolutions
     */
    public static AnyResGrid select(int imageWidth, int imageHeight, List<int[]> pinpoints, int cropSize) {
        int[] best = null;
        long bestEffective = 0;
        long leastWasted = Long.MAX_VALUE;
        for (int[] p : pinpoints) {
            double scale = Math.min((double) p[0] / imageWidth, (double) p[1] / imageHeight);
            long fittedW = (long) (imageWidth * scale);
            long fittedH = (long) (imageHeight * scale);
            long effective = Math.min(fittedW * fittedH, (long) imageWidth * imageHeight);
            long wasted = (long) p[0] * p[1] - effective;
            if (effective > bestEffective || (effective == bestEffective && wasted < leastWasted)) {
                best = p;
                bestEffective = effective;
                leastWasted = wasted;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no usable anyres pinpoint among " + pinpoints.size());
        }
        return new AnyResGrid(best[0], best[1], cropSize);
    }

    /**
     * {@code resize_and_pad_image}: the size the image is resized to before it is centred on the canvas. The side
     * with the smaller scale fills the canvas; the other is {@code ceil(side * scale)}, capped at the canvas.
     *
     * @return {@code [width, height]}
     */
    public int[] fittedSize(int imageWidth, int imageHeight) {
        double scaleW = (double) width / imageWidth;
        double scaleH = (double) height / imageHeight;
        if (scaleW < scaleH) {
            return new int[] {width, (int) Math.min(Math.ceil(imageHeight * scaleW), height)};
        }
        return new int[] {(int) Math.min(Math.ceil(imageWidth * scaleH), width), height};
    }

    /** {@code resize_and_pad_image}: bicubic fit (PIL's default filter), pasted centred on a black canvas. */
    public RgbImage resizeAndPad(RgbImage image) {
        int[] size = fittedSize(image.width(), image.height());
        RgbImage resized = PilResize.bicubic(image, size[0], size[1]);
        return RgbImage.filled(width, height, 0, 0, 0)
                .pasted(resized, (width - size[0]) / 2, (height - size[1]) / 2);
    }

    /** {@code divide_to_patches}: the canvas cut into {@code cropSize} tiles, row-major. */
    public List<RgbImage> tiles(RgbImage canvas) {
        List<RgbImage> out = new ArrayList<>(columns() * rows());
        for (int top = 0; top < height; top += cropSize) {
            for (int left = 0; left < width; left += cropSize) {
                out.add(canvas.crop(left, top, cropSize, cropSize));
            }
        }
        return out;
    }
}
