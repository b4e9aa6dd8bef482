package org.medv.model.image;

/**
 * Pillow's {@code Image.resize(size, Image.BICUBIC)} for 8-bit RGB, reproduced byte for byte, because the SigLIP
 * processor resizes with PIL and the tower was trained on exactly those bytes.
 *
 * <p>Port of {@code src/libImaging/Resample.c} (python-pillow/Pillow): {@code ImagingResampleInner} runs a
 * horizontal then a vertical 1-D convolution, skipping a pass whose size is unchanged. Each pass widens the filter by
 * the downscale factor (antialiasing), normalises the weights per output pixel ({@code precompute_coeffs}), turns
 * them into fixed point with {@code PRECISION_BITS = 32 - 8 - 2} ({@code normalize_coeffs_8bpc}) and rounds and
 * clips to 8 bits after each pass. The horizontal pass only computes the source rows the vertical pass reads.
 */
public final class PilResize {
    /** 8 bits for the result and 2 for overshoot of the negative-lobed kernel, as in Resample.c. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;
    /** Keys' cubic convolution parameter used by Pillow's {@code bicubic_filter}. */
    private static final double A = -0.5;

    private PilResize() {
    }

    /** Resizes {@code in} to {@code width x height}; like Pillow, an unchanged size gives a copy. */
    public static RgbImage bicubic(RgbImage in, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + width + "x" + height);
        }
        Coefficients vertical = Coefficients.compute(in.height(), height);
        RgbImage current = in;
        if (width != in.width()) {
            // only the source rows the vertical pass reads: bounds of its first and last output row
            int firstRow = vertical.start()[0];
            int lastRow = vertical.start()[height - 1] + vertical.count()[height - 1];
            current = horizontalPass(in, Coefficients.compute(in.width(), width), firstRow, lastRow - firstRow);
            vertical = vertical.shifted(-firstRow);
        }
        if (height != in.height()) {
            current = verticalPass(current, vertical);
        }
        return current == in ? new RgbImage(in.width(), in.height(), in.rgb().clone()) : current;
    }

    /** Pillow's {@code bicubic_filter}: Keys' cubic kernel with a = -0.5, support 2. */
    static double bicubicKernel(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    private static RgbImage horizontalPass(RgbImage in, Coefficients c, int firstRow, int rows) {
        int outW = c.start().length;
        byte[] src = in.rgb();
        byte[] out = new byte[outW * rows * 3];
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * in.width();
            for (int xx = 0; xx < outW; xx++) {
                int kBase = xx * c.kernelSize();
                int start = c.start()[xx];
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int i = 0; i < c.count()[xx]; i++) {
                    int k = c.weights()[kBase + i];
                    int p = (rowBase + start + i) * 3;
                    r += (src[p] & 0xff) * k;
                    g += (src[p + 1] & 0xff) * k;
                    b += (src[p + 2] & 0xff) * k;
                }
                int o = (y * outW + xx) * 3;
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return new RgbImage(outW, rows, out);
    }

    private static RgbImage verticalPass(RgbImage in, Coefficients c) {
        int outH = c.start().length;
        int w = in.width();
        byte[] src = in.rgb();
        byte[] out = new byte[w * outH * 3];
        for (int yy = 0; yy < outH; yy++) {
            int kBase = yy * c.kernelSize();
            int start = c.start()[yy];
            for (int x = 0; x < w; x++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int i = 0; i < c.count()[yy]; i++) {
                    int k = c.weights()[kBase + i];
                    int p = ((start + i) * w + x) * 3;
                    r += (src[p] & 0xff) * k;
                    g += (src[p + 1] & 0xff) * k;
                    b += (src[p + 2] & 0xff) * k;
                }
                int o = (yy * w + x) * 3;
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return new RgbImage(w, outH, out);
    }

    /** Pillow's {@code clip8}: drop the fraction bits (arithmetic shift), clamp to 0..255. */
    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /**
     * Per output pixel of one axis: the first input index, how many inputs contribute, and their fixed-point weights
     * ({@code kernelSize} slots per output pixel).
     */
    record Coefficients(int[] start, int[] count, int kernelSize, int[] weights) {

        /** {@code precompute_coeffs} with the default box {@code (0, inSize)}, then {@code normalize_coeffs_8bpc}. */
        static Coefficients compute(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = BICUBIC_SUPPORT * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * kernelSize];
            double[] k = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double invScale = 1.0 / filterScale;
                // (int) truncates toward zero like the C cast; both ends are then clamped to the image
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    k[x] = bicubicKernel((x + xmin - center + 0.5) * invScale);
                    sum += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double w = sum != 0.0 ? k[x] / sum : k[x];
                    weights[xx * kernelSize + x] = toFixed(w);
                }
                start[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(start, count, kernelSize, weights);
        }

        /** Round half away from zero into fixed point, as {@code normalize_coeffs_8bpc} does. */
        private static int toFixed(double w) {
            double scaled = w * (1 << PRECISION_BITS);
            return (int) (w < 0 ? -0.5 + scaled : 0.5 + scaled);
        }

        Coefficients shifted(int delta) {
            int[] moved = start.clone();
            for (int i = 0; i < moved.length; i++) {
                moved[i] += delta;
            }
            return new Coefficients(moved, count, kernelSize, weights);
        }
    }
}
