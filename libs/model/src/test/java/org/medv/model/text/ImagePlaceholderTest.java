package org.medv.model.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.config.SpecialTokens;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.medv.model.text.ImagePlaceholder.IMAGE_TOKEN_INDEX;

/** {@code tokenizer_image_token} edge cases, against hand-computed upstream results. */
class ImagePlaceholderTest {

    private static final int BOS = SpecialTokens.LLADA.bos();

    @TempDir
    static Path dir;
    private static TextTokenizer tok;

    @BeforeAll
    static void load() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        tok = TextTokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void withBosEveryChunkLosesItsFirstToken() {
        // chunks: [BOS,'a'] [' ','b'] -> [BOS] + ['a'] + [-200] + ['b']
        assertArrayEquals(new int[] {BOS, 'a', IMAGE_TOKEN_INDEX, 'b'},
                ImagePlaceholder.tokenize("<|startoftext|>a<image> b", tok, BOS));
    }

    @Test
    void withoutBosChunksAreKeptWhole() {
        // offset 0: the newline after the image survives
        assertArrayEquals(new int[] {'a', IMAGE_TOKEN_INDEX, '\n', 'b'},
                ImagePlaceholder.tokenize("a<image>\nb", tok, BOS));
    }

    @Test
    void trailingAndAdjacentPlaceholdersKeepTheirEmptyChunks() {
        // Python's split keeps empty chunks: "<|startoftext|>", "", "" -> two separators
        assertArrayEquals(new int[] {BOS, IMAGE_TOKEN_INDEX, IMAGE_TOKEN_INDEX},
                ImagePlaceholder.tokenize("<|startoftext|><image><image>", tok, BOS));
        assertEquals(2, ImagePlaceholder.count("<image><image>"));
        assertEquals(0, ImagePlaceholder.count("no image"));
    }

    @Test
    void textWithoutPlaceholderIsThePlainEncoding() {
        String text = "<|startoftext|>What is this?";
        assertArrayEquals(tok.encode(text), ImagePlaceholder.tokenize(text, tok, BOS));
    }
}
