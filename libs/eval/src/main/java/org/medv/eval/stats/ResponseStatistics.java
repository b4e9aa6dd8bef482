package org.medv.eval.stats;

import org.medv.eval.ResponseStats;

import java.util.regex.Pattern;

/**
 * The paper's per-answer response statistics (its Table 3: tokens, words, steps, time) plus {@link Repetition}.
 * Tokens are the generated ids the caller passes: the answer's ids up to (not including) the stop token, without the
 * trailing mask or EOS padding of the diffusion canvas.
 */
public final class ResponseStatistics {
    private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+"); // Unicode-aware, like str.split()

    private ResponseStatistics() {
    }

    /** Words as {@code answer.split()} counts them in Python: runs of non-whitespace. */
    public static int words(String answer) {
        if (answer == null) {
            return 0;
        }
        return (int) WHITESPACE.splitAsStream(answer).filter(word -> !word.isEmpty()).count();
    }

    public static int tokens(int[] outputIds) {
        return outputIds.length;
    }

    /** All statistics of one answer, repetition with n = {@value Repetition#DEFAULT_N}. */
    public static ResponseStats of(String answer, int[] outputIds, int steps, long timeMs) {
        return of(answer, outputIds, steps, timeMs, Repetition.DEFAULT_N);
    }

    public static ResponseStats of(String answer, int[] outputIds, int steps, long timeMs, int repetitionN) {
        if (steps < 0 || timeMs < 0) {
            throw new IllegalArgumentException("steps and timeMs must be >= 0, got " + steps + " and " + timeMs);
        }
        return new ResponseStats(tokens(outputIds), words(answer), steps, timeMs,
                Repetition.share(outputIds, repetitionN));
    }
}
