package org.medv.eval.vqa;

import com.google.gson.JsonObject;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaScore;

import java.util.List;

/**
 * A run's VQA metrics as LLaVA-Med v1.0.0 prints them ({@code run_eval_batch.py}): means over the closed and the open
 * questions, x 100. The paper table reports {@code closedAccuracy} ("yes/no accuracy") and {@code openRecall}
 * ("recall").
 *
 * <p>Means are plain left-to-right sums in question order divided by the count, then multiplied by 100, as Python
 * 3.10's {@code sum(xs) / len(xs) * 100} (Python 3.12 changed {@code sum} of floats to compensated summation, which
 * can differ in the last bits). A group without questions reports 0, as upstream does for the closed accuracy (its
 * open means would divide by zero).
 */
public record VqaSummary(int closedN, double closedAccuracy, int openN, double openRecall, double openPrecision,
                         double openF1, double openExactMatch) {

    /** Aggregates per-question scores (in the ground-truth file's order, for bit-identical sums). */
    public static VqaSummary of(List<VqaScore> scores) {
        int closedN = 0;
        int hits = 0;
        int openN = 0;
        double recall = 0;
        double precision = 0;
        double f1 = 0;
        double exact = 0;
        for (VqaScore s : scores) {
            if (s.answerType() == AnswerType.CLOSED) {
                closedN++;
                hits += s.hit() ? 1 : 0;
            } else {
                openN++;
                recall += s.recall();
                precision += s.precision();
                f1 += s.f1();
                exact += s.exactMatch();
            }
        }
        return new VqaSummary(closedN, percent(hits, closedN), openN, percent(recall, openN),
                percent(precision, openN), percent(f1, openN), percent(exact, openN));
    }

    private static double percent(double sum, int n) {
        return n == 0 ? 0.0 : sum / n * 100;
    }

    /**
     * {@code {"closed": {"n", "accuracy"}, "open": {"n", "recall", "precision", "f1", "exact_match"}}}, values in
     * percent.
     */
    public JsonObject toJson() {
        JsonObject closed = new JsonObject();
        closed.addProperty("n", closedN);
        closed.addProperty("accuracy", closedAccuracy);
        JsonObject open = new JsonObject();
        open.addProperty("n", openN);
        open.addProperty("recall", openRecall);
        open.addProperty("precision", openPrecision);
        open.addProperty("f1", openF1);
        open.addProperty("exact_match", openExactMatch);
        JsonObject json = new JsonObject();
        json.add("closed", closed);
        json.add("open", open);
        return json;
    }
}
