package org.medv.data;

import org.medv.eval.AnswerType;

/**
 * One question about a scan with its answer. {@code kind} names the template (for example {@code closed.side},
 * {@code open.count}), so results can be broken down per question kind.
 */
public record Question(String kind, AnswerType type, String text, String answer) {
    public static final String YES = "yes";
    public static final String NO = "no";

    public static Question closed(String kind, String text, boolean yes) {
        return new Question("closed." + kind, AnswerType.CLOSED, text, yes ? YES : NO);
    }

    public static Question open(String kind, String text, String answer) {
        return new Question("open." + kind, AnswerType.OPEN, text, answer);
    }
}
