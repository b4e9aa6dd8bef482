package org.medv.eval;

/**
 * One question of a LLaVA-Med-format VQA test file (VQA-RAD, SLAKE, PathVQA). {@code kind} is the optional
 * {@code question_kind} (medv's synthetic set names its templates, e.g. {@code open.findings}), else null.
 */
public record VqaItem(String id, String image, AnswerType answerType, String question, String answer, String kind) {
}
