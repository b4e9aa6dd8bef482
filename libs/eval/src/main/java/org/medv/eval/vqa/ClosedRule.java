package org.medv.eval.vqa;

/** How a closed (yes/no) answer counts as a hit; both rules compare the normalised strings by substring. */
public enum ClosedRule {
    /**
     * {@code run_eval_batch.py}, which produced the paper table: hit when the ground truth is a substring of the
     * prediction (so ground truth "no" matches "normal").
     */
    SUBSTRING,
    /**
     * {@code run_eval.py}: hit only when the prediction contains "yes" or "no" (again as substrings) and the ground
     * truth. Upstream appends nothing at all for a prediction that contains "yes"/"no" but not the ground truth,
     * which drops the question from the accuracy's denominator; medv counts it as a miss instead, because a run
     * never silently drops a question.
     */
    YES_NO
}
