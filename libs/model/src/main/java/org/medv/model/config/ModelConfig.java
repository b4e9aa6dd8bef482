package org.medv.model.config;

import org.medv.model.ModelLoadException;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.text.PromptBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything {@code config.json} (and its neighbours) says about a model directory: the language model, the
 * multimodal part when present (null for a text-only checkpoint), the vision config when the file embeds one, the
 * special token ids, and the system message prompts are rendered with.
 *
 * <p>The system message is upstream's {@link PromptBuilder#LLAVA_LLADA_SYSTEM_PROMPT} unless {@code config.json} has
 * a {@value #SYSTEM_PROMPT_KEY} string (medv's own key: a model trained with another system message, such as the demo
 * model, which has none); an empty string there means no system message at all. {@value #KEEP_IMAGE_NEWLINE_KEY}
 * {@code true} (medv's own key, which its trainer writes) keeps the {@code "\n"} after each image that upstream
 * inference drops, so that a model medv trained is asked in the form it was trained on. {@code generationDefaults}
 * are the sampler options a request leaves unset ({@link GenerationDefaults}: {@code generation_config.json}).
 */
public record ModelConfig(
        Path directory,
        LladaConfig llm,
        LlavaConfig llava,
        SiglipVisionConfig embeddedVision,
        SpecialTokens tokens,
        String systemPrompt,
        boolean keepImageNewline,
        GenerationOptions generationDefaults) {
    public static final String SYSTEM_PROMPT_KEY = "system_prompt";
    public static final String KEEP_IMAGE_NEWLINE_KEY = "keep_image_newline";

    public boolean multimodal() {
        return llava != null;
    }

    public static ModelConfig load(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("model directory " + dir + " has no config.json");
        }
        Json j = Json.read(file);
        LladaConfig llm = LladaConfig.isOriginal(j) ? LladaConfig.fromOriginal(j) : LladaConfig.fromLlama(j);
        SiglipVisionConfig vision = j.has("vision_config") ? SiglipVisionConfig.from(j) : null;
        LlavaConfig llava = LlavaConfig.isMultimodal(j)
                ? LlavaConfig.from(j, vision == null ? 1152 : vision.hiddenSize()) : null;
        String system = j.string(SYSTEM_PROMPT_KEY, PromptBuilder.LLAVA_LLADA_SYSTEM_PROMPT);
        return new ModelConfig(dir, llm, llava, vision, SpecialTokens.load(dir), system.isEmpty() ? null : system,
                j.bool(KEEP_IMAGE_NEWLINE_KEY, false), GenerationDefaults.load(dir));
    }
}
