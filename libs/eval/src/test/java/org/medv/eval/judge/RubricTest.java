package org.medv.eval.judge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RubricTest {
    @Test
    void defaultAsksForTheFourCriteriaAndTheScoreLine() {
        String rubric = Rubric.defaultText();
        for (String word : new String[] {"helpfulness", "relevance", "accuracy", "level of detail", "1 to 10",
                "first line", "separated by a single space", "explain"}) {
            assertTrue(rubric.contains(word), word);
        }
        assertFalse(rubric.endsWith("\n"));
    }

    @Test
    void textFileIsTakenVerbatimButTheTrailingNewline() {
        assertEquals("Line one.\n    Indented line two.", Rubric.fromFile(resource("rule.txt")));
    }

    @Test
    void jsonFileGivesItsPrompt() {
        assertEquals("Rate them.\n  Then explain.", Rubric.fromFile(resource("rule.json")));
    }

    private static Path resource(String name) {
        try {
            return Path.of(RubricTest.class.getResource("/judge/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void emptyOrPromptlessFilesFail(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n");
        assertThrows(IllegalArgumentException.class, () -> Rubric.fromFile(empty));
        Path json = Files.writeString(dir.resolve("rule.json"), "{\"role\": \"Assistant\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rubric.fromFile(json));
        assertTrue(e.getMessage().contains("prompt"));
    }
}
