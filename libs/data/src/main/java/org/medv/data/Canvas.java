package org.medv.data;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

/**
 * A square grayscale drawing surface in floating point, with coordinates as fractions of the side (0..1, origin
 * top-left, pixel centres at (i + 0.5) / size). Shapes blend over what is there with an antialiased edge; texture is
 * applied last. {@link StrictMath} keeps the bytes identical on every JVM and CPU.
 */
final class Canvas {
    private final int size;
    private final double[] px;

    Canvas(int size) {
        this.size = size;
        this.px = new double[size * size];
    }

    int size() {
        return size;
    }

    void fill(double value) {
        java.util.Arrays.fill(px, value);
    }

    /** A filled ellipse of a constant value. */
    void ellipse(double cx, double cy, double rx, double ry, double value, double softPixels) {
        ellipse(cx, cy, rx, ry, (r, y) -> value, softPixels);
    }

    /**
     * A filled ellipse whose value depends on the normalised radius r (0 at the centre, 1 on the outline) and the
     * row y; the outline is blended over {@code softPixels} pixels.
     */
    void ellipse(double cx, double cy, double rx, double ry, DoubleBinaryOperator valueAtRadiusAndRow,
                 double softPixels) {
        double minRadiusPx = Math.min(rx, ry) * size;
        for (int j = 0; j < size; j++) {
            double y = (j + 0.5) / size;
            double dy = (y - cy) / ry;
            for (int i = 0; i < size; i++) {
                double dx = ((i + 0.5) / size - cx) / rx;
                double r = StrictMath.sqrt(dx * dx + dy * dy);
                double alpha = clamp((1 - r) * minRadiusPx / softPixels + 0.5, 0, 1);
                if (alpha > 0) {
                    int k = j * size + i;
                    px[k] += alpha * (valueAtRadiusAndRow.applyAsDouble(r, y) - px[k]);
                }
            }
        }
    }

    /**
     * Low-frequency texture: the sum of {@code waves} random plane waves, applied as a relative change so that the
     * dark background stays dark. Periods between a quarter and the whole image side.
     */
    void modulate(Random rng, int waves, double amplitude) {
        double[] fx = new double[waves];
        double[] fy = new double[waves];
        double[] phase = new double[waves];
        for (int w = 0; w < waves; w++) {
            double angle = rng.nextDouble() * 2 * Math.PI;
            double frequency = 1 + rng.nextDouble() * 3;
            fx[w] = frequency * StrictMath.cos(angle);
            fy[w] = frequency * StrictMath.sin(angle);
            phase[w] = rng.nextDouble() * 2 * Math.PI;
        }
        for (int j = 0; j < size; j++) {
            for (int i = 0; i < size; i++) {
                double x = (i + 0.5) / size;
                double y = (j + 0.5) / size;
                double sum = 0;
                for (int w = 0; w < waves; w++) {
                    sum += StrictMath.sin(2 * Math.PI * (fx[w] * x + fy[w] * y) + phase[w]);
                }
                px[j * size + i] *= 1 + amplitude * sum / waves;
            }
        }
    }

    /** Pixel noise, Gaussian with standard deviation {@code sigma} grey levels. */
    void noise(Random rng, double sigma) {
        for (int k = 0; k < px.length; k++) {
            px[k] += sigma * rng.nextGaussian();
        }
    }

    /** 8-bit grayscale, values rounded and clamped to 0..255. */
    BufferedImage toImage() {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int j = 0; j < size; j++) {
            for (int i = 0; i < size; i++) {
                raster.setSample(i, j, 0, (int) Math.round(clamp(px[j * size + i], 0, 255)));
            }
        }
        return image;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
