package org.medv.eval.report;

/**
 * Mean response statistics over answers (the paper's Table 3 plus repetition). {@code timePerWordMs} is total time /
 * total words (null when no answer has words), so short answers do not dominate; {@code repetition} is the mean share
 * (0..1) of tokens inside a repeated n-gram.
 */
public record StatsSummary(int answers, double tokens, double words, double steps, double timePerAnswerMs,
                           Double timePerWordMs, double repetition) {
}
