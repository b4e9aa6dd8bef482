package org.medv.model;

import org.medv.model.config.ModelConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.text.PromptBuilder;
import org.medv.model.text.TextTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model directory's text side: its config, special ids, sampler defaults and tokenizer, with the prompt builder
 * and the checks a request passes before anything runs. Loads without an engine or the checkpoint (the gateway
 * holds only this).
 */
public final class TextSide implements AutoCloseable {
    private final ModelConfig config;
    private final TextTokenizer tokenizer;

    private TextSide(ModelConfig config, TextTokenizer tokenizer) {
        this.config = config;
        this.tokenizer = tokenizer;
    }

    /** The config of {@code modelDir} and its tokenizer when it has a tokenizer.json. */
    public static TextSide load(Path modelDir) {
        return load(ModelConfig.load(modelDir));
    }

    /** The tokenizer of {@code config}'s directory, when it has a tokenizer.json, beside the config. */
    public static TextSide load(ModelConfig config) {
        TextTokenizer tok = Files.isRegularFile(config.directory().resolve("tokenizer.json"))
                ? TextTokenizer.load(config.directory()) : null;
        return new TextSide(config, tok);
    }

    public ModelConfig config() {
        return config;
    }

    public SpecialTokens tokens() {
        return config.tokens();
    }

    /** The sampler options a request leaves unset take these (generation_config.json, else 128 / 128 / 128). */
    public GenerationOptions generationDefaults() {
        return config.generationDefaults();
    }

    /** The model's tokenizer, or null when its directory has no tokenizer.json (raw prompt ids only). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The LLaVA-LLaDA prompt builder over this model's tokenizer, with the model's system message and image form. */
    public PromptBuilder prompts() {
        if (tokenizer == null) {
            throw new InvalidRequestException("question", "model " + config.directory()
                    + " has no tokenizer.json: give prompt ids instead of a question");
        }
        return new PromptBuilder(tokenizer, tokens(), config.systemPrompt(), config.keepImageNewline());
    }

    /**
     * Checks options against this model without running anything (positions; forbidden and stop ids in the
     * vocabulary); throws if invalid.
     */
    public void validate(int promptLength, GenerationOptions options) {
        options.checkTokenIds(config.llm().vocabSize(), tokens().mask());
        int max = config.llm().maxPositionEmbeddings();
        long total = (long) promptLength + options.genLength();
        if (total > max) {
            throw new InvalidRequestException("gen_length", "prompt (" + promptLength + " positions) plus gen_length="
                    + options.genLength() + " is " + total + ", more than the model's " + max + " positions");
        }
    }

    /** Decoded answer text (special tokens skipped, trimmed), or null without a tokenizer. */
    public String decode(int[] outputIds) {
        return tokenizer == null ? null : tokenizer.decodeAnswer(outputIds);
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
