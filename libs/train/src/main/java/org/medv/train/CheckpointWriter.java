package org.medv.train;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.config.LladaConfig;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.safetensors.SafetensorsWriter;
import org.medv.model.text.PromptBuilder;
import org.medv.model.vision.SiglipWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link TrainableModel} as a model directory {@link org.medv.model.MedvModel#load} reads: every parameter
 * in float32 under the tensor name it was loaded from (so the layout, LLaMA-style or original LLaDA, is kept),
 * config.json (torch_dtype float32; the vision config embedded when the tower came from a stand-alone directory),
 * and the tokenizer, generation and preprocessor files copied from where the model came from.
 */
public final class CheckpointWriter {
    private static final List<String> COPIED = List.of("generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json");

    private CheckpointWriter() {
    }

    /** @param systemPrompt the system message the model was trained with (null: none), declared in config.json */
    public static void write(TrainableModel model, Path dir, String systemPrompt) {
        try {
            Files.createDirectories(dir);
            Map<String, NDArray> tensors = named(model);
            SafetensorsWriter w = new SafetensorsWriter();
            tensors.forEach((name, array) -> AdamW.add(w, name, array));
            w.write(dir.resolve("model.safetensors"));
            Path source = model.config().directory();
            writeConfig(model, source, dir, tensors, systemPrompt);
            Path towerDir = model.tower() == null ? null : model.tower().directory();
            for (String f : COPIED) {
                Path from = f.equals("preprocessor_config.json") && towerDir != null
                        && Files.isRegularFile(towerDir.resolve(f)) ? towerDir.resolve(f) : source.resolve(f);
                Path to = dir.resolve(f);
                if (Files.isRegularFile(from) && !Files.isSameFile(from.getParent(), dir)) {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /**
     * Tensor name to parameter. A stand-alone tower's {@code vision_model.*} goes under the combined prefix, as
     * LLaVA saves a tuned tower; a tied LM head (loaded from the embedding's tensor) gets its own name.
     */
    static Map<String, NDArray> named(TrainableModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NDArray head = model.llm().weights().lmHead();
        for (NDArray p : model.parameters()) {
            String name = p.getName();
            if (name.startsWith(SiglipWeights.STANDALONE_PREFIX)) {
                name = SiglipWeights.COMBINED_PREFIX + name.substring(SiglipWeights.STANDALONE_PREFIX.length());
            }
            if (p == head && out.containsKey(name)) {
                name = model.config().llm().layout() == LladaConfig.WeightLayout.LLAMA ? "lm_head.weight"
                        : "model.transformer.ff_out.weight";
            }
            if (out.put(name, p) != null) {
                throw new IllegalStateException("two parameters named " + name);
            }
        }
        return out;
    }

    private static void writeConfig(TrainableModel model, Path source, Path dir, Map<String, NDArray> tensors,
                                    String systemPrompt) throws IOException {
        JsonObject cfg = JsonParser.parseString(Files.readString(source.resolve("config.json"))).getAsJsonObject();
        cfg.addProperty("torch_dtype", "float32");
        // ConversationEncoder keeps the "\n" after <image> (upstream training): ask the trained model the same way
        cfg.addProperty(ModelConfig.KEEP_IMAGE_NEWLINE_KEY, true);
        cfg.remove(ModelConfig.SYSTEM_PROMPT_KEY);
        if (!PromptBuilder.LLAVA_LLADA_SYSTEM_PROMPT.equals(systemPrompt)) {
            cfg.addProperty(ModelConfig.SYSTEM_PROMPT_KEY, systemPrompt == null ? "" : systemPrompt);
        }
        if (model.config().llm().tieWordEmbeddings()) {
            cfg.addProperty("tie_word_embeddings", false); // the head was trained as its own tensor
        }
        if (model.vision() != null && !cfg.has("vision_config")) {
            SiglipVisionConfig v = model.tower().config();
            JsonObject vc = new JsonObject();
            vc.addProperty("hidden_size", v.hiddenSize());
            vc.addProperty("intermediate_size", v.intermediateSize());
            vc.addProperty("num_hidden_layers", v.numHiddenLayers());
            vc.addProperty("num_attention_heads", v.numAttentionHeads());
            vc.addProperty("image_size", v.imageSize());
            vc.addProperty("patch_size", v.patchSize());
            vc.addProperty("num_channels", v.numChannels());
            vc.addProperty("hidden_act", v.hiddenAct());
            vc.addProperty("layer_norm_eps", v.layerNormEps());
            cfg.add("vision_config", vc);
        }
        Files.writeString(dir.resolve("config.json"), new GsonBuilder().setPrettyPrinting().create().toJson(cfg));
    }
}
