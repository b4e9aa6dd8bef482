package org.medv.eval.vqa;

import org.junit.jupiter.api.Test;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaScore;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VqaSummaryTest {

    @Test
    void meansTimes100PerAnswerType() {
        List<VqaScore> scores = List.of(
                new VqaScore(AnswerType.CLOSED, true, 0, 0, 0, 0),
                new VqaScore(AnswerType.OPEN, false, 1.0, 2.0 / 3, 0.8, 2.0 / 3),
                new VqaScore(AnswerType.CLOSED, false, 1, 1, 1, 1),
                new VqaScore(AnswerType.CLOSED, true, 0, 0, 0, 0),
                new VqaScore(AnswerType.OPEN, true, 0, 0, 0, 0));
        VqaSummary s = VqaSummary.of(scores);
        assertEquals(3, s.closedN());
        assertEquals(2.0 / 3 * 100, s.closedAccuracy());
        assertEquals(2, s.openN());
        assertEquals((0.0 + 1.0 + 0) / 2 * 100, s.openRecall());
        assertEquals((0.0 + 2.0 / 3 + 0) / 2 * 100, s.openPrecision());
        assertEquals(40.0, s.openF1(), 1e-12);
        assertEquals((0.0 + 2.0 / 3 + 0) / 2 * 100, s.openExactMatch());
        assertEquals("{\"closed\":{\"n\":3,\"accuracy\":" + (2.0 / 3 * 100) + "},\"open\":{\"n\":2,\"recall\":50.0,"
                + "\"precision\":" + (2.0 / 3 / 2 * 100) + ",\"f1\":" + (0.8 / 2 * 100) + ",\"exact_match\":"
                + (2.0 / 3 / 2 * 100) + "}}", s.toJson().toString());
    }

    @Test
    void anEmptyGroupReportsZero() {
        VqaSummary s = VqaSummary.of(List.of(new VqaScore(AnswerType.OPEN, true, 1, 1, 1, 1)));
        assertEquals(0, s.closedN());
        assertEquals(0.0, s.closedAccuracy());
        assertEquals(100.0, s.openRecall());
    }
}
