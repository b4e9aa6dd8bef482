package org.medv.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.eval.ConversationItem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConversationBenchmarkReaderTest {
    /** The first line of {@code llava_med_eval_qa50_qa.jsonl} (fields as in the real file). */
    static final String FIRST = "{\"question_id\": 0, \"image\": \"18063892_F3.jpg\", \"pair_id\": \"18063892_F3\", "
            + "\"text\": \"What is the organ in the image?\\n<image>\", \"gpt4_answer\": \"The organ in the image is "
            + "the conjunctiva.\", \"fig_caption\": \"The gross histopathologic finding (H & E stain, \\u00d7100)\", "
            + "\"in_text_mention\": [{\"tokens\": \"Inflammatory cells were not found in the vicinity ( Fig. 3 , 4 , "
            + "5 ) .\", \"entities\": [{\"type\": \"figure\", \"entity_id\": \"3\", \"start_tok\": 9, \"end_tok\": "
            + "11}]}], \"domain\": {\"chest_xray\": false, \"mri\": false, \"ct_scan\": false, \"histology\": true, "
            + "\"gross\": true}, \"type\": \"conversation\", \"fig_label\": \"Fig. 3\"}";

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.writeString(dir.resolve("llava_med_eval_qa50_qa.jsonl"), String.join("\n", lines) + "\n");
    }

    private static String line(int id, String text, String mention, String domain) {
        return "{\"question_id\": " + id + ", \"image\": \"x.jpg\", \"pair_id\": \"x\", \"text\": \"" + text
                + "\", \"gpt4_answer\": \"a\", \"fig_caption\": \"c\", \"in_text_mention\": " + mention
                + ", \"domain\": " + domain + ", \"type\": \"detailed_description\", \"fig_label\": \"Figure 1\"}";
    }

    @Test
    void readsTheBenchmarkAsV100UsesIt() throws IOException {
        List<ConversationItem> items = ConversationBenchmarkReader.read(write(FIRST,
                line(1, "Describe it.\\n<image>", "null", "{\"chest_xray\": false, \"mri\": true, \"ct_scan\": true, "
                        + "\"histology\": false, \"gross\": false}")));
        assertEquals(new ConversationItem("0", "18063892_F3.jpg", "What is the organ in the image?",
                "The organ in the image is the conjunctiva.", "The gross histopathologic finding (H & E stain, "
                + "\u00d7100)", "Fig. 3", "[{'tokens': 'Inflammatory cells were not found in the vicinity ( Fig. 3 , 4"
                + " , 5 ) .', 'entities': [{'type': 'figure', 'entity_id': '3', 'start_tok': 9, 'end_tok': 11}]}]",
                "conversation", "histology"), items.get(0)); // histology and gross true: histology comes first
        assertEquals("Describe it.", items.get(1).question());
        assertEquals("None", items.get(1).inTextMention());
        assertEquals("mri", items.get(1).domain()); // mri precedes ct_scan
        assertEquals("detailed_description", items.get(1).type());
    }

    @Test
    void badLinesNameTheirLineNumber() throws IOException {
        String none = "{\"chest_xray\": false, \"mri\": false, \"ct_scan\": false, \"histology\": false, "
                + "\"gross\": false}";
        assertError(write(FIRST, line(1, "Describe it.", "null", "{\"mri\": true}")),
                "line 2 (question_id 1): \"text\" must end with");
        assertError(write(FIRST, "", line(1, "Q?\\n<image>", "null", none)), "line 3 (question_id 1): no true flag");
        assertError(write(FIRST, line(0, "Q?\\n<image>", "null", "{\"mri\": true}")), "line 2: duplicate question_id 0");
        assertError(write(FIRST, "{\"question_id\": 1, \"text\": \"Q?\\n<image>\"}"), "line 2 (question_id 1): "
                + "missing \"in_text_mention\"");
        assertError(write("{"), "line 1: malformed JSON");
    }

    private static void assertError(Path file, String fragment) {
        DataFileException e = assertThrows(DataFileException.class, () -> ConversationBenchmarkReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
