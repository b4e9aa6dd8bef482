package org.medv.eval.judge;

import org.medv.eval.JudgeScore;

/**
 * A scored review: the parsed scores, the judge's full reply (the benchmark keeps it as {@code gpt_eval}) and how many
 * HTTP attempts it took.
 */
public record JudgeReview(JudgeScore score, String reply, int attempts) {
}
