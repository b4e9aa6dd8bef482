package org.medv.eval.report;

/**
 * One group of the conversation benchmark's review, as its summary prints it: the mean reference (GPT-4) score, the
 * mean candidate score, and the relative score = mean over questions of candidate / reference x 100 (a mean of
 * ratios, not a ratio of means).
 */
public record JudgeMean(int n, double reference, double candidate, double relative) {
}
