package org.medv.eval.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How much of an answer is degenerate repetition, the failure mode the paper reports for long generations with few
 * denoising steps (the same phrase emitted again and again).
 *
 * <p>Definition: slide a window of {@code n} consecutive tokens over the sequence (positions {@code 0..L-n}, so
 * overlapping windows count) and count how often each n-gram occurs. A token position is <em>repeated</em> when at
 * least one window that covers it holds an n-gram occurring two or more times. The share is
 * {@code repeated positions / L}. It is 0 when {@code L < n} (no n-gram) and 1 when the whole answer is made of
 * repeated n-grams. Examples with n = 3: {@code [1 2 3 1 2 3]} -> 1; {@code [1 2 3 9 1 2 3]} -> 6/7 (only the 9 is
 * outside a repeated 3-gram); {@code [1 2 3 4 5]} -> 0; {@code [7 7 7 7]} -> 1 (the 3-gram 7 7 7 occurs twice,
 * overlapping).
 */
public final class Repetition {
    public static final int DEFAULT_N = 3;

    private Repetition() {
    }

    /** {@link #share(int[], int)} with n = {@value #DEFAULT_N}. */
    public static double share(int[] tokenIds) {
        return share(tokenIds, DEFAULT_N);
    }

    public static double share(int[] tokenIds, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n-gram size must be >= 1, got " + n);
        }
        int length = tokenIds.length;
        if (length < n) {
            return 0.0;
        }
        Map<NGram, Integer> counts = new HashMap<>();
        for (int start = 0; start + n <= length; start++) {
            counts.merge(new NGram(tokenIds, start, n), 1, Integer::sum);
        }
        boolean[] repeated = new boolean[length];
        for (int start = 0; start + n <= length; start++) {
            if (counts.get(new NGram(tokenIds, start, n)) > 1) {
                Arrays.fill(repeated, start, start + n, true);
            }
        }
        int covered = 0;
        for (boolean r : repeated) {
            covered += r ? 1 : 0;
        }
        return (double) covered / length;
    }

    /** A view of {@code ids[start, start + n)} compared by content. */
    private record NGram(int[] ids, int start, int n) {
        @Override
        public boolean equals(Object o) {
            return o instanceof NGram other && n == other.n
                    && Arrays.equals(ids, start, start + n, other.ids, other.start, other.start + n);
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int i = start; i < start + n; i++) {
                h = 31 * h + ids[i];
            }
            return h;
        }
    }
}
