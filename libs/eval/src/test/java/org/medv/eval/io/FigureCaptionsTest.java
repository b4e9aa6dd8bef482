package org.medv.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FigureCaptionsTest {
    @TempDir
    Path dir;

    private static String figure(String pairId, String mention) {
        return "{\"fig_caption\": \"Axial T2 image.\", \"fig_id\": \"F1\", \"fig_label\": \"Figure 1\", "
                + "\"graphic_ref\": \"g1.jpg\", \"pair_id\": \"" + pairId + "\", \"pmid\": 12345, "
                + "\"in_text_mention\": " + mention + ", \"domain\": {\"mri\": true}}";
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("llava_med_eval_qa50_fig_captions.json"), json);
    }

    @Test
    void looksUpByPairIdAndDomain() throws IOException {
        FigureCaptions captions = FigureCaptions.read(write("{\"mri\": [" + figure("1_F1", "null") + ", "
                + figure("2_F1", "[{\"tokens\": \"see Figure 1\", \"entities\": []}]") + "], \"gross\": ["
                + figure("3_F1", "null") + "]}"));
        assertEquals(3, captions.size());
        assertEquals(Optional.of(new FigureCaption("mri", "2_F1", "12345", "F1", "Figure 1", "Axial T2 image.",
                "[{'tokens': 'see Figure 1', 'entities': []}]")), captions.byPairId("2_F1"));
        assertEquals("None", captions.byPairId("1_F1").orElseThrow().inTextMention());
        assertEquals(Optional.empty(), captions.byPairId("9_F9"));
        assertEquals(List.of("1_F1", "2_F1"), captions.inDomain("mri").stream().map(FigureCaption::pairId).toList());
        assertEquals("gross", captions.all().get(2).domain());
    }

    @Test
    void badEntriesNameTheDomainAndIndex() throws IOException {
        assertError(write("{\"mri\": [" + figure("1_F1", "null") + "], \"gross\": [" + figure("1_F1", "null")
                + "]}"), "gross[0]: duplicate pair_id 1_F1 (also under mri)");
        assertError(write("{\"mri\": [" + figure("1_F1", "null") + ", {\"pair_id\": \"2_F1\"}]}"),
                "mri[1]: missing \"in_text_mention\"");
        assertError(write("{\"mri\": {}}"), "\"mri\" must be a list");
        assertError(write("[]"), "expected a JSON object keyed by domain");
    }

    private static void assertError(Path file, String fragment) {
        DataFileException e = assertThrows(DataFileException.class, () -> FigureCaptions.read(file));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
