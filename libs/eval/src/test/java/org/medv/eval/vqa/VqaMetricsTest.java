package org.medv.eval.vqa;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaScore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-question scores: hand-derived cases for each quirk, then the parity fixture from a Python port. */
class VqaMetricsTest {

    private static VqaScore closed(String prediction, String groundTruth, ClosedRule rule) {
        return VqaMetrics.score(AnswerType.CLOSED, prediction, groundTruth, rule);
    }

    private static VqaScore open(String prediction, String groundTruth) {
        return VqaMetrics.score(AnswerType.OPEN, prediction, groundTruth, ClosedRule.SUBSTRING);
    }

    @Test
    void closedHitIsASubstringTestOnTheNormalisedStrings() {
        assertTrue(closed("Yes, it is.", "yes", ClosedRule.SUBSTRING).hit());
        assertTrue(closed("Normal", "no", ClosedRule.SUBSTRING).hit());     // "no" in "normal"
        assertTrue(closed("not seen", "No", ClosedRule.SUBSTRING).hit());   // "no" in "not"
        assertTrue(closed("There are two.", "2", ClosedRule.SUBSTRING).hit()); // "two" -> "2"
        assertFalse(closed("No.", "Yes", ClosedRule.SUBSTRING).hit());
        assertFalse(closed("", "yes", ClosedRule.SUBSTRING).hit());
        assertTrue(closed("Yes", "", ClosedRule.SUBSTRING).hit());          // "" in s is True in Python
        assertTrue(closed("(a)", "a", ClosedRule.SUBSTRING).hit());         // both normalise to ""
    }

    @Test
    void yesNoRuleAlsoNeedsYesOrNoSomewhereInThePrediction() {
        assertFalse(closed("left", "left", ClosedRule.YES_NO).hit());
        assertTrue(closed("left", "left", ClosedRule.SUBSTRING).hit());
        assertTrue(closed("no, the left one", "left", ClosedRule.YES_NO).hit());
        assertTrue(closed("Normal", "no", ClosedRule.YES_NO).hit());        // "no" in "normal" satisfies both tests
        assertFalse(closed("There are two.", "2", ClosedRule.YES_NO).hit());
    }

    @Test
    void f1CountsCandidateOccurrencesForTruePositives() {
        // pred "left upper lung" vs gt "left lung": tp 2, fp 1, fn 0 -> P 2/3, R 1, F1 = 2*(2/3)*1/(5/3) = 0.8
        VqaScore s = open("the left upper lung", "Left lung");
        assertEquals(1.0, s.recall());
        assertEquals(2.0 / 3, s.precision());
        assertEquals(2 * (2.0 / 3) * 1.0 / (2.0 / 3 + 1.0), s.f1());
        assertEquals(2.0 / 3, s.exactMatch()); // 2 distinct gt words found / 3 candidate words
        // pred "lung lung nodule" vs gt "lung": tp = candidate count 2, fp 1, fn 0 -> P 2/3, R 2/2
        s = open("lung lung nodule", "lung");
        assertEquals(1.0, s.recall());
        assertEquals(2.0 / 3, s.precision());
        assertEquals(1.0 / 3, s.exactMatch());
        // pred "lung" vs gt "lung lung": tp 1 (candidate count), fn 0 (the word is present) -> R 1, P 1
        s = open("lung", "lung lung");
        assertEquals(1.0, s.recall());
        assertEquals(1.0, s.precision());
        assertFalse(s.hit()); // "lung lung" is not a substring of "lung"
    }

    @Test
    void emptyAndDisjointAnswersScoreZero() {
        for (VqaScore s : new VqaScore[] {open("", "liver"), open("the", "liver"), open("right", "left")}) {
            assertEquals(0.0, s.recall());
            assertEquals(0.0, s.precision());
            assertEquals(0.0, s.f1());
            assertEquals(0.0, s.exactMatch());
            assertFalse(s.hit());
        }
    }

    @Test
    void theMetricsNormaliseASecondTime() {
        // once: "x" + 8 periods (only 32 of 40 removed); the metrics' second pass removes the rest
        VqaScore s = open("x" + ".".repeat(40), "x");
        assertEquals(1.0, s.recall());
        assertEquals(1.0, s.precision());
        assertEquals(1.0, s.exactMatch());
        assertEquals(VqaMetrics.F1.ZERO, VqaMetrics.f1Score("the", "the"));
    }

    @Test
    void numbersContractionsAndCommas() {
        assertEquals(1.0, open("two", "2").f1());
        assertEquals(1.0, open("dont know", "don't").recall());
        assertEquals(0.5, open("dont know", "don't").precision());
        assertEquals(0.0, open("Im sure", "i'm").recall()); // "Im" is a dead key of the table
        assertEquals(2.0 / 3, open("1,000 cells, left-sided", "1000 cells").precision()); // "leftsided"
    }

    @Test
    void parityWithTheUpstreamFormulas() throws IOException {
        int rows = 0;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/vqa/llava_med_parity.jsonl"));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                JsonObject row = JsonParser.parseString(line).getAsJsonObject();
                check(row);
                rows++;
            }
        }
        assertEquals(30, rows);
    }

    private static void check(JsonObject row) {
        AnswerType type = AnswerType.valueOf(row.get("answer_type").getAsString());
        String pred = row.get("prediction").getAsString();
        String gt = row.get("ground_truth").getAsString();
        String label = type + " pred=" + pred + " gt=" + gt;
        assertEquals(row.get("normalized_prediction").getAsString(), Normalizer.normalizeWord(pred.toLowerCase()),
                label);
        assertEquals(row.get("normalized_ground_truth").getAsString(), Normalizer.normalizeWord(gt.toLowerCase()),
                label);
        VqaScore s = VqaMetrics.score(type, pred, gt, ClosedRule.SUBSTRING);
        if (type == AnswerType.CLOSED) {
            assertEquals(row.get("hit_substring").getAsBoolean(), s.hit(), label);
            assertEquals(row.get("hit_yes_no").getAsBoolean(),
                    VqaMetrics.score(type, pred, gt, ClosedRule.YES_NO).hit(), label);
        } else {
            assertEquals(row.get("open_hit").getAsBoolean(), s.hit(), label);
        }
        assertEquals(row.get("recall").getAsDouble(), s.recall(), 0.0, label);
        assertEquals(row.get("precision").getAsDouble(), s.precision(), 0.0, label);
        assertEquals(row.get("f1").getAsDouble(), s.f1(), 0.0, label);
        assertEquals(row.get("exact_match").getAsDouble(), s.exactMatch(), 0.0, label);
    }
}
