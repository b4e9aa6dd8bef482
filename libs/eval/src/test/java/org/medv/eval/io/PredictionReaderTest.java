package org.medv.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.eval.Prediction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictionReaderTest {
    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.writeString(dir.resolve("answers.jsonl"), String.join("\n", lines) + "\n");
    }

    @Test
    void readsTextOrAnswerAndSkipsBlankLines() throws IOException {
        Path file = write("{\"question_id\": 0, \"prompt\": \"Is there a fracture?\", \"text\": \"No.\", "
                        + "\"answer_id\": \"x\", \"model_id\": \"m\", \"metadata\": {}}",
                "",
                "{\"question_id\": \"pvqa_7\", \"answer\": \"The liver.\"}",
                "{\"question_id\": 3, \"text\": \"same\", \"answer\": \"same\"}",
                "   ");
        assertEquals(List.of(new Prediction("0", "No."), new Prediction("pvqa_7", "The liver."),
                new Prediction("3", "same")), PredictionReader.read(file));
    }

    @Test
    void malformedLinesNameTheirLineNumber() throws IOException {
        String ok = "{\"question_id\": 0, \"text\": \"yes\"}";
        assertError(write(ok, "", "{\"question_id\": 1, \"text\": \"no\""), "line 3: malformed JSON");
        assertError(write(ok, "{\"question_id\": 1}"), "line 2: needs \"text\" or \"answer\"");
        assertError(write(ok, "{\"question_id\": 1, \"text\": null}"), "line 2: \"text\" must be a string");
        assertError(write(ok, "{\"text\": \"no\"}"), "line 2: \"question_id\" must be a string or an integer");
        assertError(write(ok, "{\"question_id\": 1.5, \"text\": \"no\"}"), "line 2: \"question_id\" must be");
        assertError(write(ok, "[1, 2]"), "line 2: expected a JSON object");
        assertError(write(ok, ok), "line 2: duplicate question_id 0");
        assertError(write(ok, "{\"question_id\": 1, \"text\": \"a\", \"answer\": \"b\"}"), "line 2: \"text\" and "
                + "\"answer\" differ");
        assertError(write(ok, "{\"question_id\": 1, \"text\": \"a\"} trailing"), "line 2: malformed JSON");
    }

    private static void assertError(Path file, String fragment) {
        DataFileException e = assertThrows(DataFileException.class, () -> PredictionReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
