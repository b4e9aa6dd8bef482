package org.medv.train;

import java.nio.file.Path;

/**
 * One supervised sequence: token ids with {@code -200} where the image goes, and per-id labels ({@code -100} for
 * positions that carry no label). {@code inputIds} and {@code labels} have the same length.
 *
 * @param image the image file, or null for a text-only example
 */
public record TrainingExample(String id, int[] inputIds, int[] labels, Path image) {
    /** {@code IGNORE_INDEX} of {@code llava/constants.py}. */
    public static final int IGNORE_INDEX = -100;

    public TrainingExample {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("example " + id + ": " + inputIds.length + " ids but " + labels.length
                    + " labels");
        }
    }

    /** Positions whose label is not {@link #IGNORE_INDEX}: the "answer length" the loss divides by. */
    public int labelledCount() {
        int n = 0;
        for (int l : labels) {
            n += l == IGNORE_INDEX ? 0 : 1;
        }
        return n;
    }
}
