package org.medv.eval;

/** One question of a LLaVA-Med-format VQA test file (VQA-RAD, SLAKE, PathVQA). */
public record VqaItem(String id, String image, AnswerType answerType, String question, String answer) {
}
