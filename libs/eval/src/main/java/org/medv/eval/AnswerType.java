package org.medv.eval;

/** LLaVA-Med's {@code answer_type}: closed questions are scored by accuracy, open ones by recall. */
public enum AnswerType {
    CLOSED,
    OPEN
}
