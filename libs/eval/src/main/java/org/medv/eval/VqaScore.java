package org.medv.eval;

/**
 * One VQA answer's scores as LLaVA-Med v1.0.0 computes them: for closed questions the hit, for open ones recall,
 * precision, F1 and exact match (fractions 0..1; reports print them x 100).
 */
public record VqaScore(AnswerType answerType, boolean hit, double recall, double precision, double f1,
                       double exactMatch) {
}
