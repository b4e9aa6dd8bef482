package org.medv.eval.vqa;

import org.medv.eval.Prediction;
import org.medv.eval.VqaItem;
import org.medv.eval.VqaScore;
import org.medv.eval.io.DataFileException;
import org.medv.eval.io.PredictionReader;
import org.medv.eval.io.VqaTestReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores a prediction file against a LLaVA-Med-format test file, as {@code run_eval_batch.py} does for one dataset,
 * except that predictions are matched by id in any order (upstream asserts both files list the same ids in the same
 * order). Scores are aggregated in ground-truth order, so the sums are the ones upstream computes.
 */
public final class OfflineScorer {

    private OfflineScorer() {
    }

    /** Reads both files and scores them; a file problem or an id mismatch is a {@link DataFileException}. */
    public static VqaSummary score(Path groundTruth, Path predictions, ClosedRule rule) {
        List<VqaItem> items = VqaTestReader.read(groundTruth);
        List<Prediction> answers = PredictionReader.read(predictions);
        try {
            return VqaSummary.of(scoreQuestions(items, answers, rule));
        } catch (PredictionMismatchException e) {
            throw new DataFileException(predictions, e.getMessage() + " (ground truth " + groundTruth + ")", e);
        }
    }

    /**
     * One score per ground-truth item, in its order.
     *
     * @throws PredictionMismatchException when a question has no prediction or a prediction has no question
     */
    public static List<VqaScore> scoreQuestions(List<VqaItem> items, List<Prediction> predictions, ClosedRule rule) {
        Map<String, String> answers = new HashMap<>();
        for (Prediction p : predictions) {
            if (answers.put(p.questionId(), p.text()) != null) {
                throw new IllegalArgumentException("duplicate prediction for question_id " + p.questionId());
            }
        }
        Set<String> ids = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (VqaItem item : items) {
            ids.add(item.id());
            if (!answers.containsKey(item.id())) {
                missing.add(item.id());
            }
        }
        List<String> unknown = new ArrayList<>();
        for (Prediction p : predictions) {
            if (!ids.contains(p.questionId())) {
                unknown.add(p.questionId());
            }
        }
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new PredictionMismatchException(missing, unknown);
        }
        List<VqaScore> scores = new ArrayList<>(items.size());
        for (VqaItem item : items) {
            scores.add(VqaMetrics.score(item.answerType(), answers.get(item.id()), item.answer(), rule));
        }
        return scores;
    }
}
