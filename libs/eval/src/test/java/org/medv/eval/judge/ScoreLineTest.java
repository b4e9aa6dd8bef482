package org.medv.eval.judge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medv.eval.JudgeScore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreLineTest {
    @Test
    void readsTheTwoScoresOfTheFirstLine() {
        assertEquals(new JudgeScore(8, 7), ScoreLine.parse("8 7\nAssistant 1 is more detailed."));
        assertEquals(new JudgeScore(8.5, 9), ScoreLine.parse("\n  8.5 9\r\nExplanation"));
        assertEquals(new JudgeScore(10, 1), ScoreLine.parse("10 1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8  7\nx", "8\t7\nx", "8 7 6", "Assistant 1: 8, Assistant 2: 7", "8,7", "eight seven",
            "nan 7", "8 inf", "0 7", "11 7", "8 -1", "", "   "})
    void rejectsAnythingElse(String reply) {
        MalformedReplyException e = assertThrows(MalformedReplyException.class, () -> ScoreLine.parse(reply));
        assertTrue(e.getMessage().contains("judge reply"), e.getMessage());
    }

    @Test
    void theErrorQuotesTheFirstLine() {
        MalformedReplyException e = assertThrows(MalformedReplyException.class,
                () -> ScoreLine.parse("Scores: 8 and 7\nmore"));
        assertTrue(e.getMessage().contains("'Scores: 8 and 7'"), e.getMessage());
    }
}
