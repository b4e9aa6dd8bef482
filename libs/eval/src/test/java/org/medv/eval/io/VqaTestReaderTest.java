package org.medv.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaItem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VqaTestReaderTest {
    @TempDir
    Path dir;

    static String entry(String id, String type, String key, String question, String answer) {
        return "{\"id\": " + id + ", \"image\": \"synpic1.jpg\", \"answer_type\": \"" + type + "\", \"" + key
                + "\": [{\"from\": \"human\", \"value\": \"" + question + "\"}, {\"from\": \"gpt\", \"value\": \""
                + answer + "\"}]}";
    }

    private Path write(String... entries) throws IOException {
        return Files.writeString(dir.resolve("test.json"), "[" + String.join(",\n", entries) + "]");
    }

    @Test
    void readsBothSpellingsIntegerAndStringIds() throws IOException {
        Path file = write(entry("0", "CLOSED", "conversations", "<image>\\nIs there a fracture?", "No"),
                entry("\"pvqa_7\"", "OPEN", "conversatons", "<image>\\nWhat organ is shown?", "liver"),
                entry("12", "OPEN", "conversations", "Where is the lesion?\\n<image>", "left lung"));
        List<VqaItem> items = VqaTestReader.read(file);
        assertEquals(List.of(
                new VqaItem("0", "synpic1.jpg", AnswerType.CLOSED, "Is there a fracture?", "No", null),
                new VqaItem("pvqa_7", "synpic1.jpg", AnswerType.OPEN, "What organ is shown?", "liver", null),
                new VqaItem("12", "synpic1.jpg", AnswerType.OPEN, "Where is the lesion?", "left lung", null)), items);
    }

    @Test
    void readsTheOptionalQuestionKind() throws IOException {
        String withKind = entry("3", "OPEN", "conversations", "<image>\\nDescribe the findings.", "CT of the chest.")
                .replaceFirst("\\}$", ", \"question_kind\": \"open.findings\"}");
        assertEquals(List.of(new VqaItem("3", "synpic1.jpg", AnswerType.OPEN, "Describe the findings.",
                "CT of the chest.", "open.findings")), VqaTestReader.read(write(withKind)));
    }

    @Test
    void badEntriesNameTheFileAndTheEntryIndex() throws IOException {
        assertError(write(entry("0", "CLOSED", "conversations", "q", "a"), entry("1", "yes/no", "conversations",
                "q", "a")), "entry 1 (id 1): answer_type must be OPEN or CLOSED, got \"yes/no\"");
        assertError(write(entry("0", "OPEN", "conversations", "q", "a"),
                        "{\"id\": 5, \"image\": \"x.jpg\", \"answer_type\": \"OPEN\", \"conversations\": "
                                + "[{\"from\": \"human\", \"value\": \"q\"}]}"),
                "entry 1 (id 5): needs \"conversations\"");
        assertError(write(entry("0", "OPEN", "conversations", "q", "a"), entry("0", "OPEN", "conversations", "q",
                "b")), "entry 1: duplicate id 0");
        assertError(write(entry("0", "OPEN", "conversations", "q", "a"), "{\"image\": \"x.jpg\"}"),
                "entry 1: \"id\" must be a string or an integer");
        assertError(write("[1]"), "entry 0: expected a JSON object");
        assertError(Files.writeString(dir.resolve("test.json"), "{\"id\": 1}"), "expected a JSON list");
        assertError(Files.writeString(dir.resolve("test.json"), "[{'id': 1}]"), "malformed JSON");
        assertError(dir.resolve("missing.json"), "cannot read");
    }

    static void assertError(Path file, String fragment) {
        DataFileException e = assertThrows(DataFileException.class, () -> VqaTestReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(file, e.file());
    }
}
