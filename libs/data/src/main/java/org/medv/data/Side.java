package org.medv.data;

import java.util.Locale;

/**
 * The <em>patient's</em> side, which is what every question and answer of the dataset means by "left" and "right".
 *
 * <p>Radiological convention (VQA-RAD, SLAKE and clinical reports use it): the image shows the patient as if facing
 * the viewer, so the patient's left is on the <em>image's right</em> half (x &gt;= width / 2) and the patient's right
 * on the image's left half. The MRI look uses the same convention.
 */
public enum Side {
    LEFT,
    RIGHT;

    /** Whether this side is drawn on the right half of the image (true for the patient's left). */
    public boolean onImageRight() {
        return this == LEFT;
    }

    /** The side a pixel column shows, for an image {@code width} wide. */
    public static Side ofColumn(double x, int width) {
        return x >= width / 2.0 ? LEFT : RIGHT;
    }

    /** {@code left} or {@code right}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
