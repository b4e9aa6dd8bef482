package org.medv.eval.vqa;

import org.medv.eval.AnswerType;
import org.medv.eval.VqaScore;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-question VQA scores exactly as LLaVA-Med v1.0.0 computes them ({@code llava/eval/run_eval_batch.py} with
 * {@code eval_metrics/evaluate_metrics.py}; reference notes §6.1).
 *
 * <p>Both strings are lowercased and normalised once; the closed hit and the open "accuracy" compare these once
 * normalised strings, while {@code calculate_f1score} and {@code calculate_exactmatch} normalise them a second time
 * before counting words. Both passes are reproduced because normalisation is not idempotent (e.g. "a a" becomes "a",
 * then "").
 */
public final class VqaMetrics {

    /** {@code calculate_f1score}'s result, fractions 0..1. */
    public record F1(double f1, double precision, double recall) {
        static final F1 ZERO = new F1(0, 0, 0);
    }

    private VqaMetrics() {
    }

    /**
     * Scores one answer. CLOSED: {@code hit} per {@code rule}, and recall/precision/F1 as {@code run_eval_batch.py}
     * also computes them for closed questions ("recall_closed"), exact match likewise. OPEN: recall, precision, F1,
     * exact match, and {@code hit} = ground truth is a substring of the prediction ({@code run_eval_batch.py}'s
     * "open accuracy").
     */
    public static VqaScore score(AnswerType type, String prediction, String groundTruth, ClosedRule rule) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(rule, "rule");
        // gt_value = normalize_word(conversations[1]['value'].lower()); pred_value = normalize_word(text.lower())
        String gt = Normalizer.normalizeWord(groundTruth.toLowerCase(Locale.ROOT));
        String pred = Normalizer.normalizeWord(prediction.toLowerCase(Locale.ROOT));
        boolean hit = type == AnswerType.CLOSED ? closedHit(pred, gt, rule) : pred.contains(gt);
        F1 f1 = f1Score(pred, gt);
        return new VqaScore(type, hit, f1.recall(), f1.precision(), f1.f1(), exactMatch(pred, gt));
    }

    /** The closed hit on the once-normalised strings. */
    static boolean closedHit(String pred, String gt, ClosedRule rule) {
        return switch (rule) {
            case SUBSTRING -> pred.contains(gt);
            case YES_NO -> (pred.contains("yes") || pred.contains("no")) && pred.contains(gt);
        };
    }

    /**
     * {@code calculate_f1score(candidate, reference)}: normalises both again, then tp counts the candidate's
     * occurrences of shared words, fp the candidate's other words, fn the reference's missing words. All zero when
     * either side has no words or tp is 0.
     */
    public static F1 f1Score(String candidate, String reference) {
        Map<String, Integer> cand = wordCounts(Normalizer.normalizeWord(candidate));
        Map<String, Integer> ref = wordCounts(Normalizer.normalizeWord(reference));
        if (cand.isEmpty() || ref.isEmpty()) {
            return F1.ZERO;
        }
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (Map.Entry<String, Integer> e : cand.entrySet()) {
            if (ref.containsKey(e.getKey())) {
                tp += e.getValue();
            } else {
                fp += e.getValue();
            }
        }
        for (Map.Entry<String, Integer> e : ref.entrySet()) {
            if (!cand.containsKey(e.getKey())) {
                fn += e.getValue();
            }
        }
        if (tp == 0) {
            return F1.ZERO;
        }
        double precision = (double) tp / (tp + fp);
        double recall = (double) tp / (tp + fn);
        // same operation order as upstream: 2 * precision * recall / (precision + recall)
        return new F1(2 * precision * recall / (precision + recall), precision, recall);
    }

    /**
     * {@code calculate_exactmatch(candidate, reference)}: normalises both again; the number of distinct reference
     * words found in the candidate over the candidate's total word count (0 for an empty candidate). Not a 0/1
     * exact match despite the name.
     */
    public static double exactMatch(String candidate, String reference) {
        Map<String, Integer> cand = wordCounts(Normalizer.normalizeWord(candidate));
        Map<String, Integer> ref = wordCounts(Normalizer.normalizeWord(reference));
        int count = 0;
        for (String word : ref.keySet()) {
            if (cand.containsKey(word)) {
                count++;
            }
        }
        int total = 0;
        for (int n : cand.values()) {
            total += n;
        }
        return total == 0 ? 0 : (double) count / total;
    }

    /** {@code split_sentence(sentence, 1)} in {@code eval_metrics/utils.py}: lowercase, strip, split, count. */
    static Map<String, Integer> wordCounts(String sentence) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String word : Normalizer.pythonSplit(sentence.toLowerCase(Locale.ROOT))) {
            counts.merge(word, 1, Integer::sum);
        }
        return counts;
    }
}
