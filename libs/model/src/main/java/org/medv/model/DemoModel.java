package org.medv.model;

import org.medv.model.config.SpecialTokens;
import org.medv.model.text.TokenizerJsonWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The small model medv makes itself: a multimodal LLaVA-LLaDA checkpoint in the real layout (SigLIP-style tower on
 * 64 px images in 16 px patches, mlp2x_gelu projector, a 4-layer LLaDA mask predictor) with its own small vocabulary
 * ({@link #WORDS}: the chat template, the system prompt, the evaluation suffix and every word of {@code medv data
 * synth}) and its own special-token ids (the six LLaDA special tokens right after the vocabulary).
 *
 * <p>{@link #write} writes it randomly initialised, deterministic for a seed: the service tests use that, and
 * {@code ./medv train} starts from it ({@code init = demo:SEED}) to make the trained demo model that {@code ./medv up}
 * serves.
 */
public final class DemoModel {
    /**
     * The demo vocabulary: words of the LLaVA-LLaDA system prompt and the evaluation suffix, and of the synthetic
     * dataset's questions and answers (each word also gets a space-prefixed token; digits, punctuation and anything
     * else are single bytes).
     */
    public static final List<String> WORDS = List.copyOf(Arrays.asList(("""
            system user assistant
            You are a helpful language and vision assistant able to understand the visual content that user provides
            assist with variety of tasks using natural
            medical Answer concisely in English
            Is is this an CT MRI X ray x scan image there lesion lesions left right lung hemisphere normal more than
            one large upper lower half brighter surrounding tissue Which side on How many modality or bright dark
            yes no both none ct mri small
            """).strip().split("\\s+")));

    /** Sizes: hidden 128, 4 layers, 4 heads, ff 384; tower 64 wide, 4 layers (3 used), 64 px in 16 px patches. */
    public static final int HIDDEN = 128;
    public static final int LAYERS = 4;
    public static final int IMAGE_SIZE = 64;
    public static final int PATCH = 16;

    private DemoModel() {
    }

    /** The demo tokenizer with its special ids. */
    public static TokenizerJsonWriter tokenizer() {
        return new TokenizerJsonWriter(WORDS, TokenizerJsonWriter.lladaSpecialTokens(specialTokens()));
    }

    /** Mask, bos, eos, start/end header, eot right after the regular vocabulary; pad = eos. */
    public static SpecialTokens specialTokens() {
        int regular = new TokenizerJsonWriter(WORDS, List.of()).vocabSize();
        return new SpecialTokens(regular, regular + 1, regular + 2, regular + 3, regular + 4, regular + 5,
                regular + 2);
    }

    /** Writes the randomly initialised demo model into {@code dir} (config.json, model.safetensors, tokenizer.json). */
    public static Path write(Path dir, long seed) {
        TokenizerJsonWriter tokenizer = tokenizer();
        RandomModelWriter.Spec spec = new RandomModelWriter.Spec(HIDDEN, LAYERS, 4, 4, 384, tokenizer.vocabSize(),
                1024, 64, 4, 4, 192, IMAGE_SIZE, PATCH, seed);
        try {
            RandomModelWriter.write(dir, spec, specialTokens());
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
