package org.medv.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.safetensors.SafetensorsFile;
import org.medv.model.safetensors.SafetensorsWriter;
import org.medv.model.safetensors.TensorInfo;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The golden language model re-packaged as the other checkpoints medv must load: the original LLaDA-8B-Instruct
 * layout (OLMo-style config, {@code model.transformer.blocks.N.*}) and a text-only LLaVA-LLaDA checkpoint (no vision
 * keys, as LLaDA-V's re-packaged LLaDA-8B-Instruct). Both must reproduce the golden text runs exactly.
 */
class LayoutVariantsTest {

    @Test
    void originalLladaLayoutReproducesTextRuns(@TempDir Path dir) throws IOException {
        JsonObject cfg = goldenConfig();
        JsonObject olmo = new JsonObject();
        olmo.addProperty("d_model", cfg.get("hidden_size").getAsInt());
        olmo.addProperty("n_layers", cfg.get("num_hidden_layers").getAsInt());
        olmo.addProperty("n_heads", cfg.get("num_attention_heads").getAsInt());
        olmo.addProperty("n_kv_heads", cfg.get("num_key_value_heads").getAsInt());
        olmo.addProperty("mlp_hidden_size", cfg.get("intermediate_size").getAsInt());
        olmo.addProperty("mlp_ratio", 4);
        olmo.addProperty("vocab_size", cfg.get("vocab_size").getAsInt());
        olmo.addProperty("embedding_size", cfg.get("vocab_size").getAsInt());
        olmo.addProperty("rope_theta", cfg.get("rope_theta").getAsDouble());
        olmo.addProperty("rms_norm_eps", 1e-5);
        olmo.addProperty("layer_norm_type", "rms");
        olmo.addProperty("max_sequence_length", 4096);
        olmo.addProperty("weight_tying", false);
        olmo.addProperty("mask_token_id", 126336);
        olmo.addProperty("eos_token_id", 126081);
        Files.writeString(dir.resolve("config.json"), olmo.toString());
        copyTensors(dir.resolve("model.safetensors"), LayoutVariantsTest::toOriginalName);
        assertTextRunsReproduce(dir);
    }

    @Test
    void textOnlyCheckpointServesTextAndRefusesImages(@TempDir Path dir) throws IOException {
        JsonObject cfg = goldenConfig();
        for (String k : List.copyOf(cfg.keySet())) {
            if (k.startsWith("mm_") || k.startsWith("image_")) {
                cfg.remove(k);
            }
        }
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        copyTensors(dir.resolve("model.safetensors"), n -> n.startsWith("model.vision_tower") || n.startsWith(
                "model.mm_projector") ? null : n);
        assertTextRunsReproduce(dir);
        try (MedvModel model = MedvModel.load(LoadOptions.of(dir, null))) {
            assertFalse(model.hasVision());
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> model.generate(new int[] {1, -200}, List.of(new byte[] {1}), GenerationOptions.defaults(),
                            ev -> { }));
            assertEquals("image", e.field());
        }
    }

    private static void assertTextRunsReproduce(Path dir) {
        var runs = Golden.expected(Golden.base()).getAsJsonArray("text_runs");
        try (MedvModel model = MedvModel.load(LoadOptions.of(dir, null))) {
            for (var el : runs) {
                JsonObject run = el.getAsJsonObject();
                GenerationOptions o = new GenerationOptions(run.get("gen_length").getAsInt(),
                        run.get("block_length").getAsInt(), run.get("steps").getAsInt(), 0, 0, 0,
                        Remasking.LOW_CONFIDENCE, List.of(), List.of());
                GenerationResult r = model.generate(MedvModelGoldenTest.ints(run.getAsJsonArray("prompt_ids")),
                        List.of(), o, ev -> { });
                assertArrayEquals(MedvModelGoldenTest.ints(run.getAsJsonArray("output_ids")), r.outputIds());
            }
        }
    }

    /** LLaDA-V's rename_checkpoint.py, inverted; null drops the tensor. */
    private static String toOriginalName(String n) {
        if (n.startsWith("model.vision_tower") || n.startsWith("model.mm_projector")) {
            return null;
        }
        return switch (n) {
            case "model.embed_tokens.weight" -> "model.transformer.wte.weight";
            case "model.norm.weight" -> "model.transformer.ln_f.weight";
            case "lm_head.weight" -> "model.transformer.ff_out.weight";
            default -> n.replace("model.layers.", "model.transformer.blocks.")
                    .replace("input_layernorm", "attn_norm")
                    .replace("self_attn.o_proj", "attn_out")
                    .replace("self_attn.", "")
                    .replace("post_attention_layernorm", "ff_norm")
                    .replace("mlp.gate_proj", "ff_proj")
                    .replace("mlp.down_proj", "ff_out")
                    .replace("mlp.up_proj", "up_proj");
        };
    }

    private static JsonObject goldenConfig() throws IOException {
        return JsonParser.parseString(Files.readString(Golden.base().resolve("model/config.json"))).getAsJsonObject();
    }

    /** Copies the golden shards' tensors, byte for byte, into one file under new names. */
    private static void copyTensors(Path out, UnaryOperator<String> rename) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        List<SafetensorsFile> files = new java.util.ArrayList<>();
        try (var s = Files.list(Golden.base().resolve("model"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    String name = rename.apply(t.name());
                    if (name != null) {
                        w.add(name, t.dtype(), t.shape(), buf -> buf.put(f.map(t)));
                    }
                }
            }
        }
        try {
            w.write(out);
        } finally {
            files.forEach(SafetensorsFile::close);
        }
    }
}
