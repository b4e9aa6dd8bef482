package org.medv.eval;

/**
 * The paper's response statistics for one answer (its Table 3) plus a repetition measure.
 *
 * @param repetition share of tokens that lie inside a repeated n-gram (0..1)
 */
public record ResponseStats(int tokens, int words, int steps, long timeMs, double repetition) {
}
