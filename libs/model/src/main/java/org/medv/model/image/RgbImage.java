package org.medv.model.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, the Java counterpart of a PIL image in mode {@code "RGB"}.
 *
 * @param rgb interleaved samples, row-major: {@code [height, width, 3]}
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " RGB bytes for "
                    + width + "x" + height + ", got " + rgb.length);
        }
    }

    /** {@code Image.new("RGB", (width, height), (r, g, b))}. */
    public static RgbImage filled(int width, int height, int r, int g, int b) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) r;
            rgb[i + 1] = (byte) g;
            rgb[i + 2] = (byte) b;
        }
        return new RgbImage(width, height, rgb);
    }

    /** Sample {@code c} (0 = red) of pixel {@code (x, y)}, as 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /**
     * A copy of this image with {@code src} pasted at {@code (left, top)}, like PIL's {@code paste}: the parts of
     * {@code src} that fall outside are dropped.
     */
    public RgbImage pasted(RgbImage src, int left, int top) {
        byte[] out = rgb.clone();
        int x0 = Math.max(0, left);
        int x1 = Math.min(width, left + src.width);
        for (int y = Math.max(0, top); y < Math.min(height, top + src.height); y++) {
            if (x1 > x0) {
                System.arraycopy(src.rgb, ((y - top) * src.width + (x0 - left)) * 3, out, (y * width + x0) * 3,
                        (x1 - x0) * 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    /**
     * PIL's {@code crop((left, top, left + w, top + h))}: the box may reach outside the image, and those pixels are
     * black, as PIL fills them with zeros.
     */
    public RgbImage crop(int left, int top, int w, int h) {
        return filled(w, h, 0, 0, 0).pasted(this, -left, -top);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(rgb, other.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
