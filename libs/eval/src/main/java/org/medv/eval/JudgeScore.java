package org.medv.eval;

/** The judge's two scores (1..10): the reference answer (assistant 1) and the candidate (assistant 2). */
public record JudgeScore(double reference, double candidate) {
    /** candidate / reference x 100, the per-question term of the benchmark's relative score. */
    public double relative() {
        return candidate / reference * 100.0;
    }
}
