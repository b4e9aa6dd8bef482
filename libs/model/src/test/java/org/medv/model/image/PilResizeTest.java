package org.medv.model.image;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-exactness against Pillow is checked on the golden images ({@link ImagePreprocessorTest}); here the port is
 * compared with a naive float implementation of the same filter over many shapes, so border and bounds logic is
 * exercised well beyond the golden sizes.
 */
class PilResizeTest {

    @Test
    void unchangedSizeIsACopy() {
        RgbImage in = random(new Random(1), 7, 5);
        RgbImage out = PilResize.bicubic(in, 7, 5);
        assertEquals(in, out);
        assertNotSame(in.rgb(), out.rgb());
    }

    @Test
    void keysCubicKernel() {
        assertEquals(1.0, PilResize.bicubicKernel(0));
        assertEquals(0.5625, PilResize.bicubicKernel(0.5));
        assertEquals(0.0, PilResize.bicubicKernel(1), 0.0);
        assertEquals(-0.0625, PilResize.bicubicKernel(-1.5));
        assertEquals(0.0, PilResize.bicubicKernel(2), 0.0);
    }

    @Test
    void agreesWithNaiveFloatResample() {
        Random rnd = new Random(42);
        int[][] shapes = {{56, 56, 56, 56}, {80, 60, 56, 56}, {1, 1, 56, 56}, {300, 1, 56, 3}, {1, 300, 2, 56},
            {57, 300, 64, 336}, {400, 400, 56, 56}, {13, 7, 13, 30}, {30, 13, 7, 13}, {1000, 3, 1, 1}};
        for (int[] s : shapes) {
            RgbImage in = random(rnd, s[0], s[1]);
            RgbImage fast = PilResize.bicubic(in, s[2], s[3]);
            int[] naive = naive(in, s[2], s[3]);
            assertEquals(naive.length, fast.rgb().length);
            int worst = 0;
            for (int i = 0; i < naive.length; i++) {
                worst = Math.max(worst, Math.abs(naive[i] - (fast.rgb()[i] & 0xff)));
            }
            // fixed point and the rounding to 8 bits between passes cost at most one level
            assertTrue(worst <= 1, s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3] + ": off by " + worst);
        }
    }

    @Test
    void constantImageStaysConstant() {
        RgbImage out = PilResize.bicubic(RgbImage.filled(37, 11, 0, 128, 255), 16, 29);
        RgbImage expected = RgbImage.filled(16, 29, 0, 128, 255);
        assertArrayEquals(expected.rgb(), out.rgb());
    }

    /**
     * Horizontal then vertical pass with Pillow's support scaling and normalisation, in double, clipped to 0..255
     * between passes like Pillow but rounded only once at the end.
     */
    private static int[] naive(RgbImage in, int outW, int outH) {
        double[][] wx = weights(in.width(), outW);
        double[][] wy = weights(in.height(), outH);
        double[] mid = new double[in.height() * outW * 3];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int sx = 0; sx < in.width(); sx++) {
                        acc += wx[x][sx] * in.sample(sx, y, c);
                    }
                    mid[(y * outW + x) * 3 + c] = Math.max(0, Math.min(255, acc));
                }
            }
        }
        int[] out = new int[outW * outH * 3];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int sy = 0; sy < in.height(); sy++) {
                        acc += wy[y][sy] * mid[(sy * outW + x) * 3 + c];
                    }
                    out[(y * outW + x) * 3 + c] = (int) Math.max(0, Math.min(255, Math.round(acc)));
                }
            }
        }
        return out;
    }

    /** Dense weights [out][in] when the size changes, the identity otherwise. */
    private static double[][] weights(int inSize, int outSize) {
        double[][] w = new double[outSize][inSize];
        if (inSize == outSize) {
            for (int i = 0; i < inSize; i++) {
                w[i][i] = 1;
            }
            return w;
        }
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1);
        double support = 2 * filterScale;
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            double sum = 0;
            for (int i = 0; i < inSize; i++) {
                if (i + 0.5 > center - support - 0.5 && i + 0.5 < center + support + 0.5) {
                    w[o][i] = PilResize.bicubicKernel((i + 0.5 - center) / filterScale);
                    sum += w[o][i];
                }
            }
            for (int i = 0; i < inSize; i++) {
                w[o][i] /= sum;
            }
        }
        return w;
    }

    private static RgbImage random(Random rnd, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        rnd.nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }
}
