package org.medv.eval.judge;

import org.junit.jupiter.api.Test;
import org.medv.eval.ConversationItem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReviewPromptTest {
    @Test
    void buildsTheBenchmarkUserMessage() {
        assertEquals(JudgeFixtures.EXPECTED_USER_CONTENT,
                ReviewPrompt.build(JudgeFixtures.ITEM, JudgeFixtures.CANDIDATE, JudgeFixtures.RUBRIC));
    }

    @Test
    void systemMessageKeepsTheStrayQuote() {
        assertEquals("'You are a helpful and precise assistant for checking the quality of the answer.",
                ReviewPrompt.SYSTEM);
    }

    @Test
    void nullFieldsPrintAsPythonNone() {
        ConversationItem item = new ConversationItem("1", "x.jpg", "Q?", "A.", "Caption.", "Fig. 1", null,
                "conversation", "mri");
        assertTrue(ReviewPrompt.build(item, "B.", "R").contains("Figure Context:\n\t- None\n\n[Question]\nQ?\n\n"));
    }
}
