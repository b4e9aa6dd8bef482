package org.medv.eval.vqa;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.eval.io.DataFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfflineScorerTest {
    @TempDir
    Path dir;

    /** Four questions: two closed, two open (ids as VQA-RAD's integers and PathVQA's strings). */
    static String groundTruth() {
        return "[" + String.join(",\n",
                item("0", "CLOSED", "Is there a fracture?", "no"),
                item("1", "OPEN", "Where is the lesion?", "left lung"),
                item("\"p2\"", "CLOSED", "Is it on the left?", "yes"),
                item("3", "OPEN", "How many nodules?", "two")) + "]";
    }

    static String item(String id, String type, String question, String answer) {
        return "{\"id\": " + id + ", \"image\": \"img.jpg\", \"answer_type\": \"" + type + "\", \"conversations\": "
                + "[{\"from\": \"human\", \"value\": \"<image>\\n" + question + "\"}, {\"from\": \"gpt\", \"value\": \""
                + answer + "\"}]}";
    }

    static String prediction(String id, String text) {
        return "{\"question_id\": " + id + ", \"text\": \"" + text + "\"}";
    }

    private Path gt() throws IOException {
        return Files.writeString(dir.resolve("test.json"), groundTruth());
    }

    private Path predictions(String... lines) throws IOException {
        return Files.writeString(dir.resolve("answers.jsonl"), String.join("\n", lines) + "\n");
    }

    @Test
    void matchesByIdInAnyOrder() throws IOException {
        Path preds = predictions(prediction("3", "Two nodules."), prediction("\"p2\"", "No."),
                prediction("1", "The left upper lung."), prediction("0", "Normal."));
        VqaSummary s = OfflineScorer.score(gt(), preds, ClosedRule.SUBSTRING);
        // closed: "no" in "normal" hits, "yes" not in "no" misses -> 50 %
        assertEquals(new VqaSummary(2, 50.0, 2,
                        (1.0 + 1.0) / 2 * 100,                  // recall: both gt fully covered
                        (2.0 / 3 + 1.0 / 2) / 2 * 100,          // precision: 2/3 and "2 nodules" 1/2
                        (0.8 + 2 * 0.5 * 1.0 / 1.5) / 2 * 100,  // f1
                        (2.0 / 3 + 1.0 / 2) / 2 * 100),         // exact match: 2 of 3 words, 1 of 2 words
                s);
        VqaSummary strict = OfflineScorer.score(gt(), preds, ClosedRule.YES_NO);
        assertEquals(50.0, strict.closedAccuracy());
    }

    @Test
    void aQuestionWithoutPredictionOrAPredictionWithoutQuestionIsAnError() throws IOException {
        Path gt = gt();
        Path preds = predictions(prediction("0", "no"), prediction("1", "lung"), prediction("7", "yes"));
        DataFileException e = assertThrows(DataFileException.class,
                () -> OfflineScorer.score(gt, preds, ClosedRule.SUBSTRING));
        assertTrue(e.getMessage().contains("2 question(s) without a prediction: p2, 3"), e.getMessage());
        assertTrue(e.getMessage().contains("1 prediction(s) for ids not in the ground truth: 7"), e.getMessage());
        assertEquals(preds, e.file());
        PredictionMismatchException cause = assertInstanceOf(PredictionMismatchException.class, e.getCause());
        assertEquals(java.util.List.of("p2", "3"), cause.missing());
    }
}
