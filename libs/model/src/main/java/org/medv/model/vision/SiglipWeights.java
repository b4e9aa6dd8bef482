package org.medv.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medv.model.ModelLoadException;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.safetensors.Checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * SigLIP vision tower tensors. Two places hold them: the combined LLaVA checkpoint
 * ({@code model.vision_tower.vision_tower.vision_model.*}, saved after LLaVA deleted the last encoder layer) and a
 * stand-alone Hugging Face tower ({@code vision_model.*}, all layers plus {@code post_layernorm} and {@code head}).
 * Only the first {@code num_hidden_layers - 1} layers are loaded: LLaVA's SigLIP tower drops the last one.
 */
public record SiglipWeights(NDArray patchWeight, NDArray patchBias, NDArray positions, List<Layer> layers,
                            NDArray postNormWeight, NDArray postNormBias) implements AutoCloseable {

    public static final String COMBINED_PREFIX = "model.vision_tower.vision_tower.vision_model.";
    public static final String STANDALONE_PREFIX = "vision_model.";

    /** One pre-LN encoder layer; Linear weights are [out, in], all with bias. */
    public record Layer(NDArray ln1W, NDArray ln1B, NDArray qW, NDArray qB, NDArray kW, NDArray kB, NDArray vW,
                        NDArray vB, NDArray oW, NDArray oB, NDArray ln2W, NDArray ln2B, NDArray fc1W, NDArray fc1B,
                        NDArray fc2W, NDArray fc2B) {
        NDList all() {
            return new NDList(ln1W, ln1B, qW, qB, kW, kB, vW, vB, oW, oB, ln2W, ln2B, fc1W, fc1B, fc2W, fc2B);
        }
    }

    /** The prefix under which {@code ckpt} stores a tower, or null when it holds none. */
    public static String prefixIn(Checkpoint ckpt) {
        for (String p : List.of(COMBINED_PREFIX, STANDALONE_PREFIX)) {
            if (ckpt.contains(p + "embeddings.patch_embedding.weight")) {
                return p;
            }
        }
        return null;
    }

    /**
     * Loads the layers LLaVA uses ({@code layersUsed}, normally num_hidden_layers - 1) and, when present,
     * post_layernorm (kept for diagnostics: LLaVA does not apply it).
     */
    public static SiglipWeights load(Checkpoint ckpt, String prefix, SiglipVisionConfig c, int layersUsed,
                                     NDManager m, DataType dtype) {
        int d = c.hiddenSize();
        int p = c.patchSize();
        int ff = c.intermediateSize();
        String e = prefix + "embeddings.";
        NDArray pw = ckpt.load(m, e + "patch_embedding.weight", new long[] {d, c.numChannels(), p, p}, dtype);
        NDArray pb = ckpt.load(m, e + "patch_embedding.bias", new long[] {d}, dtype);
        NDArray pos = ckpt.load(m, e + "position_embedding.weight", new long[] {c.numPatches(), d}, dtype);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layersUsed; i++) {
            String l = prefix + "encoder.layers." + i + ".";
            if (!ckpt.contains(l + "self_attn.q_proj.weight")) {
                throw new ModelLoadException("vision tower in " + ckpt.directory() + " has no encoder layer " + i
                        + " (tensor " + l + "self_attn.q_proj.weight); the config needs " + layersUsed
                        + " layers (num_hidden_layers - 1)");
            }
            long[] dd = {d, d};
            long[] dv = {d};
            layers.add(new Layer(
                    ckpt.load(m, l + "layer_norm1.weight", dv, dtype), ckpt.load(m, l + "layer_norm1.bias", dv, dtype),
                    ckpt.load(m, l + "self_attn.q_proj.weight", dd, dtype),
                    ckpt.load(m, l + "self_attn.q_proj.bias", dv, dtype),
                    ckpt.load(m, l + "self_attn.k_proj.weight", dd, dtype),
                    ckpt.load(m, l + "self_attn.k_proj.bias", dv, dtype),
                    ckpt.load(m, l + "self_attn.v_proj.weight", dd, dtype),
                    ckpt.load(m, l + "self_attn.v_proj.bias", dv, dtype),
                    ckpt.load(m, l + "self_attn.out_proj.weight", dd, dtype),
                    ckpt.load(m, l + "self_attn.out_proj.bias", dv, dtype),
                    ckpt.load(m, l + "layer_norm2.weight", dv, dtype), ckpt.load(m, l + "layer_norm2.bias", dv, dtype),
                    ckpt.load(m, l + "mlp.fc1.weight", new long[] {ff, d}, dtype),
                    ckpt.load(m, l + "mlp.fc1.bias", new long[] {ff}, dtype),
                    ckpt.load(m, l + "mlp.fc2.weight", new long[] {d, ff}, dtype),
                    ckpt.load(m, l + "mlp.fc2.bias", dv, dtype)));
        }
        NDArray postW = null;
        NDArray postB = null;
        if (ckpt.contains(prefix + "post_layernorm.weight")) {
            postW = ckpt.load(m, prefix + "post_layernorm.weight", new long[] {d}, dtype);
            postB = ckpt.load(m, prefix + "post_layernorm.bias", new long[] {d}, dtype);
        }
        return new SiglipWeights(pw, pb, pos, List.copyOf(layers), postW, postB);
    }

    public NDList parameters() {
        NDList all = new NDList(patchWeight, patchBias, positions);
        layers.forEach(l -> all.addAll(l.all()));
        if (postNormWeight != null) {
            all.add(postNormWeight);
            all.add(postNormBias);
        }
        return all;
    }

    @Override
    public void close() {
        parameters().close();
    }
}
