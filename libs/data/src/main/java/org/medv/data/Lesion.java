package org.medv.data;

import java.util.Locale;

/**
 * One finding: a round blob drawn on a scan. {@code x}, {@code y} and {@code radius} are in pixels (origin top-left);
 * the categorical fields are what the questions ask about, and the geometry always agrees with them: {@code x} lies
 * in the image half of {@link Side#onImageRight()}, {@code y} in the upper or lower half, and the whole blob stays in
 * that quadrant.
 */
public record Lesion(Side side, Level level, Size size, Contrast contrast, double x, double y, double radius) {
    /** Upper or lower half of the image. */
    public enum Level {
        UPPER,
        LOWER;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Small (radius about 3 px at 64 x 64) or large (about 6 px). */
    public enum Size {
        SMALL,
        LARGE;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Brighter than the tissue around it (a nodule, an enhancing mass) or darker (a cavity, a cyst). */
    public enum Contrast {
        BRIGHT,
        DARK;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Lesion {
        if (side == null || level == null || size == null || contrast == null) {
            throw new IllegalArgumentException("lesion needs side, level, size and contrast, got " + side + ", "
                    + level + ", " + size + ", " + contrast);
        }
        if (!(radius > 0)) {
            throw new IllegalArgumentException("lesion radius must be positive, got " + radius);
        }
    }
}
