package org.medv.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.medv.model.config.SpecialTokens;
import org.medv.model.safetensors.SafetensorsWriter;
import org.medv.model.safetensors.TensorDType;
import org.medv.model.vision.Projector;
import org.medv.model.vision.SiglipWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised LLaVA-LLaDA model directory in the real layout (BF16 safetensors, config.json,
 * generation_config.json), optionally with a SigLIP tower and projector: for benchmarks of a given size and for
 * services that need a model without downloading one. Weights ~ N(0, 0.02), norms = 1, seeded.
 */
public final class RandomModelWriter {
    /** Sizes of the model to write; {@code visionHidden = 0} writes a text-only model. */
    public record Spec(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int maxPositions,
                       int visionHidden, int visionLayers, int visionHeads, int visionIntermediate, int imageSize,
                       int patchSize, long seed) {

        public static Spec defaults() {
            return new Spec(512, 8, 8, 8, 1376, 32000, 4096, 0, 0, 0, 0, 0, 14, 0);
        }

        /** Parses {@code hidden=512,layers=8,heads=8,kv=8,ff=1376,vocab=32000,positions=4096,seed=0,...}. */
        public static Spec parse(String text) {
            Map<String, Long> v = new LinkedHashMap<>();
            Spec d = defaults();
            for (String part : text.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw new InvalidRequestException("random", "expected key=value in --random, got \"" + part + "\"");
                }
                try {
                    v.put(kv[0].trim(), Long.parseLong(kv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("random", "--random " + kv[0] + " must be an integer, got "
                            + kv[1]);
                }
            }
            int heads = get(v, "heads", d.heads);
            return new Spec(get(v, "hidden", d.hidden), get(v, "layers", d.layers), heads, get(v, "kv", heads),
                    get(v, "ff", d.intermediate), get(v, "vocab", d.vocab), get(v, "positions", d.maxPositions),
                    get(v, "vision_hidden", 0), get(v, "vision_layers", 2), get(v, "vision_heads", 2),
                    get(v, "vision_ff", 64), get(v, "image_size", 56), get(v, "patch", 14), v.getOrDefault("seed", 0L));
        }

        private static int get(Map<String, Long> v, String k, int fallback) {
            return Math.toIntExact(v.getOrDefault(k, (long) fallback));
        }

        public long llmParameters() {
            long kvDim = (long) kvHeads * (hidden / heads);
            long perLayer = 2L * hidden * hidden + 2L * kvDim * hidden + 3L * hidden * intermediate + 2L * hidden;
            return perLayer * layers + 2L * vocab * hidden + hidden;
        }
    }

    private RandomModelWriter() {
    }

    public static void write(Path dir, Spec s, SpecialTokens tokens) {
        if (s.vocab <= Math.max(tokens.mask(), Math.max(tokens.eot(), tokens.bos()))) {
            throw new InvalidRequestException("random", "vocab=" + s.vocab + " must exceed the special token ids "
                    + "(mask " + tokens.mask() + ")");
        }
        SplittableRandom rng = new SplittableRandom(s.seed);
        SafetensorsWriter w = new SafetensorsWriter();
        int kvDim = s.kvHeads * (s.hidden / s.heads);
        normal(w, "model.embed_tokens.weight", rng, s.vocab, s.hidden);
        normal(w, "lm_head.weight", rng, s.vocab, s.hidden);
        ones(w, "model.norm.weight", s.hidden);
        for (int i = 0; i < s.layers; i++) {
            String p = "model.layers." + i + ".";
            ones(w, p + "input_layernorm.weight", s.hidden);
            ones(w, p + "post_attention_layernorm.weight", s.hidden);
            normal(w, p + "self_attn.q_proj.weight", rng, s.hidden, s.hidden);
            normal(w, p + "self_attn.k_proj.weight", rng, kvDim, s.hidden);
            normal(w, p + "self_attn.v_proj.weight", rng, kvDim, s.hidden);
            normal(w, p + "self_attn.o_proj.weight", rng, s.hidden, s.hidden);
            normal(w, p + "mlp.gate_proj.weight", rng, s.intermediate, s.hidden);
            normal(w, p + "mlp.up_proj.weight", rng, s.intermediate, s.hidden);
            normal(w, p + "mlp.down_proj.weight", rng, s.hidden, s.intermediate);
        }
        JsonObject cfg = new JsonObject();
        cfg.addProperty("model_type", "llava_llada");
        cfg.addProperty("vocab_size", s.vocab);
        cfg.addProperty("hidden_size", s.hidden);
        cfg.addProperty("intermediate_size", s.intermediate);
        cfg.addProperty("num_hidden_layers", s.layers);
        cfg.addProperty("num_attention_heads", s.heads);
        cfg.addProperty("num_key_value_heads", s.kvHeads);
        cfg.addProperty("hidden_act", "silu");
        cfg.addProperty("max_position_embeddings", s.maxPositions);
        cfg.addProperty("rms_norm_eps", 1e-5);
        cfg.addProperty("rope_theta", 500000.0);
        cfg.addProperty("tie_word_embeddings", false);
        cfg.addProperty("torch_dtype", "bfloat16");
        cfg.addProperty("bos_token_id", tokens.bos());
        cfg.addProperty("eos_token_id", tokens.eos());
        cfg.addProperty("pad_token_id", tokens.pad());
        cfg.addProperty("mask_token_id", tokens.mask());
        // medv keys: lets a small-vocabulary model define every special id the sampler and template use
        cfg.addProperty("start_header_token_id", tokens.startHeader());
        cfg.addProperty("end_header_token_id", tokens.endHeader());
        cfg.addProperty("eot_token_id", tokens.eot());
        if (s.visionHidden > 0) {
            addVision(w, cfg, s, rng);
        }
        try {
            Files.createDirectories(dir);
            w.write(dir.resolve("model.safetensors"));
            var gson = new GsonBuilder().setPrettyPrinting().create();
            Files.writeString(dir.resolve("config.json"), gson.toJson(cfg));
            JsonObject gen = new JsonObject();
            gen.addProperty("bos_token_id", tokens.bos());
            gen.addProperty("eos_token_id", tokens.eos());
            Files.writeString(dir.resolve("generation_config.json"), gson.toJson(gen));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write random model to " + dir, e);
        }
    }

    private static void addVision(SafetensorsWriter w, JsonObject cfg, Spec s, SplittableRandom rng) {
        String p = SiglipWeights.COMBINED_PREFIX;
        int vh = s.visionHidden;
        int side = s.imageSize / s.patchSize;
        normal(w, p + "embeddings.patch_embedding.weight", rng, vh, 3, s.patchSize, s.patchSize);
        normal(w, p + "embeddings.patch_embedding.bias", rng, vh);
        normal(w, p + "embeddings.position_embedding.weight", rng, (long) side * side, vh);
        // the combined checkpoint holds the tower as LLaVA saves it: the last of num_hidden_layers deleted
        for (int i = 0; i < s.visionLayers - 1; i++) {
            String l = p + "encoder.layers." + i + ".";
            for (String ln : new String[] {"layer_norm1", "layer_norm2"}) {
                ones(w, l + ln + ".weight", vh);
                normal(w, l + ln + ".bias", rng, vh);
            }
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                normal(w, l + "self_attn." + proj + ".weight", rng, vh, vh);
                normal(w, l + "self_attn." + proj + ".bias", rng, vh);
            }
            normal(w, l + "mlp.fc1.weight", rng, s.visionIntermediate, vh);
            normal(w, l + "mlp.fc1.bias", rng, s.visionIntermediate);
            normal(w, l + "mlp.fc2.weight", rng, vh, s.visionIntermediate);
            normal(w, l + "mlp.fc2.bias", rng, vh);
        }
        normal(w, Projector.PREFIX + "0.weight", rng, s.hidden, vh);
        normal(w, Projector.PREFIX + "0.bias", rng, s.hidden);
        normal(w, Projector.PREFIX + "2.weight", rng, s.hidden, s.hidden);
        normal(w, Projector.PREFIX + "2.bias", rng, s.hidden);
        cfg.addProperty("mm_hidden_size", vh);
        cfg.addProperty("mm_projector_type", "mlp2x_gelu");
        cfg.addProperty("mm_vision_tower", "random-siglip");
        cfg.addProperty("image_aspect_ratio", "pad");
        cfg.addProperty("mm_patch_merge_type", "flat");
        cfg.addProperty("tokenizer_model_max_length", s.maxPositions);
        JsonObject vc = new JsonObject();
        vc.addProperty("hidden_size", vh);
        vc.addProperty("intermediate_size", s.visionIntermediate);
        vc.addProperty("num_hidden_layers", s.visionLayers);
        vc.addProperty("num_attention_heads", s.visionHeads);
        vc.addProperty("image_size", s.imageSize);
        vc.addProperty("patch_size", s.patchSize);
        vc.addProperty("num_channels", 3);
        vc.addProperty("hidden_act", "gelu_pytorch_tanh");
        vc.addProperty("layer_norm_eps", 1e-6);
        cfg.add("vision_config", vc);
    }

    private static void normal(SafetensorsWriter w, String name, SplittableRandom parent, long... shape) {
        SplittableRandom rng = parent.split();
        w.add(name, TensorDType.BF16, shape, buf -> {
            while (buf.hasRemaining()) {
                float f = (float) (rng.nextGaussian() * 0.02);
                buf.putShort((short) (Float.floatToRawIntBits(f) >>> 16)); // truncate to bfloat16
            }
        });
    }

    private static void ones(SafetensorsWriter w, String name, long n) {
        short one = (short) (Float.floatToRawIntBits(1f) >>> 16);
        w.add(name, TensorDType.BF16, new long[] {n}, buf -> {
            while (buf.hasRemaining()) {
                buf.putShort(one);
            }
        });
    }
}
