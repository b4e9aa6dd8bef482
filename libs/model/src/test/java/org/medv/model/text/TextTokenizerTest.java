package org.medv.model.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.ModelLoadException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void missingTokenizerNamesTheDirectory() {
        var e = assertThrows(ModelLoadException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    @Test
    void unreadableTokenizerNamesTheFile() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{ not a tokenizer");
        var e = assertThrows(ModelLoadException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toAbsolutePath().toString()),
                e.getMessage());
    }

    @Test
    void answerDecodingSkipsSpecialTokensAndStrips() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] ids = tok.encode("<|startoftext|> \n The lesion is benign.\n<|eot_id|><|endoftext|>");
            assertEquals("The lesion is benign.", tok.decodeAnswer(ids));
            assertEquals("<|startoftext|> \n The lesion is benign.\n<|eot_id|><|endoftext|>", tok.decode(ids, false));
            assertEquals(" \n The lesion is benign.\n", tok.decode(ids, true));
        }
    }

    @Test
    void answerStripUsesPythonWhitespace() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            // U+00A0 is whitespace to Python's str.strip() but not to Java's String.strip()
            assertEquals("yes", tok.decodeAnswer(tok.encode("\u00a0yes\u00a0\n")));
        }
    }

    @Test
    void negativeAndOutOfVocabularyIdsAreSkipped() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            int[] yes = tok.encode("yes");
            int gap = 100_000; // between the words and the special tokens
            int[] ids = {ImagePlaceholder.IMAGE_TOKEN_INDEX, yes[0], gap, 126_349, Integer.MAX_VALUE, -1};
            assertEquals("yes", tok.decode(ids, true));
            assertEquals("yes", tok.decodeAnswer(ids));
        }
    }

    @Test
    void cleanUpTokenizationSpacesFollowsTheTokenizerConfig() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals("yes .", tok.decodeAnswer(tok.encode("yes .")));
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": true}");
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals("yes.", tok.decodeAnswer(tok.encode("yes .")));
        }
    }
}
