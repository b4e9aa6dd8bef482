package org.medv.eval;

/** One line of a prediction file: {@code question_id} and the answer ({@code text} or {@code answer}). */
public record Prediction(String questionId, String text) {
}
