package org.medv.model.config;

import org.medv.model.ModelLoadException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything {@code config.json} (and its neighbours) says about a model directory: the language model, the
 * multimodal part when present (null for a text-only checkpoint), the vision config when the file embeds one, and
 * the special token ids.
 */
public record ModelConfig(
        Path directory,
        LladaConfig llm,
        LlavaConfig llava,
        SiglipVisionConfig embeddedVision,
        SpecialTokens tokens) {

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
        return new ModelConfig(dir, llm, llava, vision, SpecialTokens.load(dir));
    }
}
