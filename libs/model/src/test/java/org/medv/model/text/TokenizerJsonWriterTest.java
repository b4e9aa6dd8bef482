package org.medv.model.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.config.SpecialTokens;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerJsonWriterTest {

    @TempDir
    Path dir;

    @Test
    void djlLoadsTheLladaTestTokenizerWithTheRealSpecialIds() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            SpecialTokens ids = SpecialTokens.LLADA;
            assertArrayEquals(new int[] {ids.bos()}, tok.encode("<|startoftext|>"));
            assertArrayEquals(new int[] {ids.eos()}, tok.encode("<|endoftext|>"));
            assertArrayEquals(new int[] {ids.mask()}, tok.encode("<|mdm_mask|>"));
            assertArrayEquals(new int[] {ids.startHeader()}, tok.encode("<|start_header_id|>"));
            assertArrayEquals(new int[] {ids.endHeader()}, tok.encode("<|end_header_id|>"));
            assertArrayEquals(new int[] {ids.eot()}, tok.encode("<|eot_id|>"));
        }
    }

    @Test
    void specialTokensResolvedFromTheGeneratedFileMatchLlada() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        assertEquals(SpecialTokens.LLADA, SpecialTokens.load(dir));
        assertEquals(126336, SpecialTokens.load(dir).mask());
    }

    @Test
    void newlineIsItsOwnTokenAndSurvivesTheRoundTrip() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertArrayEquals(new int[] {10}, tok.encode("\n"));
            assertArrayEquals(new int[] {10, 10}, tok.encode("\n\n"));
            int user = TokenizerJsonWriter.lladaTest().vocab().get("user");
            assertArrayEquals(new int[] {126346, user, 126347, 10, 10},
                    tok.encode("<|start_header_id|>user<|end_header_id|>\n\n"));
            String text = "What is shown?\n\nA chest X-ray, ünïcödé\tand  spaces \n";
            assertEquals(text, tok.decode(tok.encode(text), false));
        }
    }

    @Test
    void wordsAreSingleTokensWithAndWithoutLeadingSpace() throws Exception {
        TokenizerJsonWriter writer = TokenizerJsonWriter.lladaTest();
        writer.write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] ids = tok.encode("What is the lesion");
            assertArrayEquals(new int[] {writer.vocab().get("What"), writer.vocab().get("Ġis"),
                    writer.vocab().get("Ġthe"), writer.vocab().get("Ġlesion")}, ids);
            // an unknown word falls back to its bytes
            assertArrayEquals(new int[] {'q', 'z', 'x'}, tok.encode("qzx"));
        }
    }

    @Test
    void ownVocabularyAndOwnSpecialIdsForASmallModel() throws Exception {
        // 256 bytes + 2 words x 2 forms = 260 regular ids; specials right after, as a demo model would use
        SpecialTokens demo = new SpecialTokens(265, 260, 261, 262, 263, 264, 261);
        TokenizerJsonWriter writer = new TokenizerJsonWriter(List.of("user", "assistant"),
                TokenizerJsonWriter.lladaSpecialTokens(demo));
        assertEquals(266, writer.vocabSize());
        writer.write(dir);
        assertEquals(demo, SpecialTokens.load(dir));
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertArrayEquals(new int[] {260, 256, 264}, tok.encode("<|startoftext|>user<|eot_id|>"));
            assertEquals("user", tok.decode(new int[] {260, 256, 264}, true));
        }
    }

    @Test
    void specialIdsMustNotCollideWithTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TokenizerJsonWriter(List.of("user"),
                List.of(new TokenizerJsonWriter.SpecialToken("<|eot_id|>", 100))));
        assertTrue(e.getMessage().contains("<|eot_id|>"), e.getMessage());
    }

    @Test
    void defaultVocabularyHasAFewHundredWords() {
        assertTrue(TokenizerJsonWriter.DEFAULT_WORDS.size() >= 300, "" + TokenizerJsonWriter.DEFAULT_WORDS.size());
    }
}
