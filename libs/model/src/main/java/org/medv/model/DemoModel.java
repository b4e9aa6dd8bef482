package org.medv.model;

import org.medv.model.config.SpecialTokens;
import org.medv.model.text.TokenizerJsonWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small model medv makes itself for {@code ./medv up} and the service tests: a random multimodal LLaVA-LLaDA
 * checkpoint in the real layout (SigLIP-style tower, mlp2x_gelu projector) with its own byte-level tokenizer and its
 * own special-token ids (the six LLaDA special tokens right after the vocabulary). Deterministic for a seed; it
 * answers with random tokens until a trained demo model replaces it.
 */
public final class DemoModel {
    private DemoModel() {
    }

    /** Writes the demo model into {@code dir} (config.json, model.safetensors, tokenizer.json, ...). */
    public static Path write(Path dir, long seed) {
        int regular = new TokenizerJsonWriter(TokenizerJsonWriter.DEFAULT_WORDS, java.util.List.of()).vocabSize();
        // own ids: mask, bos, eos, start/end header, eot after the regular vocabulary; pad = eos
        SpecialTokens ids = new SpecialTokens(regular, regular + 1, regular + 2, regular + 3, regular + 4,
                regular + 5, regular + 2);
        TokenizerJsonWriter tokenizer = new TokenizerJsonWriter(TokenizerJsonWriter.DEFAULT_WORDS,
                TokenizerJsonWriter.lladaSpecialTokens(ids));
        RandomModelWriter.Spec spec = new RandomModelWriter.Spec(64, 2, 4, 4, 160, tokenizer.vocabSize(), 2048,
                32, 3, 4, 64, 56, 14, seed);
        try {
            RandomModelWriter.write(dir, spec, ids);
            tokenizer.write(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model to " + dir, e);
        }
    }

    /** Whether {@code dir} already holds a model (so a caller can reuse it). */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("tokenizer.json"))
                && Files.isRegularFile(dir.resolve("model.safetensors"));
    }
}
