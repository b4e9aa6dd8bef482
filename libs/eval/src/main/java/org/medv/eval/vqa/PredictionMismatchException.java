package org.medv.eval.vqa;

import java.util.List;

/**
 * Predictions that do not cover the ground truth one to one: questions without a prediction, or predictions for ids
 * the ground truth does not have. LLaVA-Med asserts the two id lists are equal; medv matches by id in any order but
 * equally refuses to score a partial run.
 */
public class PredictionMismatchException extends RuntimeException {
    /** How many ids a message lists before "and N more". */
    static final int LISTED = 20;
    private final List<String> missing;
    private final List<String> unknown;

    public PredictionMismatchException(List<String> missing, List<String> unknown) {
        super(message(missing, unknown));
        this.missing = List.copyOf(missing);
        this.unknown = List.copyOf(unknown);
    }

    /** Ground-truth ids without a prediction, in ground-truth order. */
    public List<String> missing() {
        return missing;
    }

    /** Prediction ids the ground truth does not have, in prediction order. */
    public List<String> unknown() {
        return unknown;
    }

    private static String message(List<String> missing, List<String> unknown) {
        StringBuilder m = new StringBuilder();
        if (!missing.isEmpty()) {
            m.append(missing.size()).append(" question(s) without a prediction: ").append(ids(missing));
        }
        if (!unknown.isEmpty()) {
            m.append(m.isEmpty() ? "" : "; ").append(unknown.size())
                    .append(" prediction(s) for ids not in the ground truth: ").append(ids(unknown));
        }
        return m.toString();
    }

    private static String ids(List<String> ids) {
        if (ids.size() <= LISTED) {
            return String.join(", ", ids);
        }
        return String.join(", ", ids.subList(0, LISTED)) + " and " + (ids.size() - LISTED) + " more";
    }
}
