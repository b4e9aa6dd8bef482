package org.medv.model.config;

import org.medv.model.ModelLoadException;

import java.nio.file.Path;

/** The SigLIP vision tower's {@code vision_config} (stand-alone SigLIP config.json or embedded in the multimodal one). */
public record SiglipVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int imageSize,
        int patchSize,
        int numChannels,
        String hiddenAct,
        double layerNormEps) {

    public SiglipVisionConfig {
        if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
            throw new ModelLoadException("vision hidden_size=" + hiddenSize + " must be a positive multiple of "
                    + "num_attention_heads=" + numAttentionHeads);
        }
        if (patchSize <= 0 || imageSize < patchSize) {
            throw new ModelLoadException("vision image_size=" + imageSize + " must be at least patch_size=" + patchSize);
        }
        if (!hiddenAct.equals("gelu_pytorch_tanh") && !hiddenAct.equals("gelu")) {
            throw new ModelLoadException("vision hidden_act " + hiddenAct + " is not supported "
                    + "(SigLIP uses gelu_pytorch_tanh)");
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per side: the convolution is "valid" with stride = kernel, so the remainder is dropped. */
    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int numPatches() {
        return patchesPerSide() * patchesPerSide();
    }

    /** Reads {@code vision_config} from a config.json (or the object itself when it is a SigLIP vision config). */
    static SiglipVisionConfig from(Json j) {
        Json v = j.has("vision_config") ? j.child("vision_config") : j;
        return new SiglipVisionConfig(
                v.size("hidden_size", 768),
                v.size("intermediate_size", 3072),
                v.size("num_hidden_layers", 12),
                v.size("num_attention_heads", 12),
                v.size("image_size", 224),
                v.size("patch_size", 16),
                v.size("num_channels", 3),
                v.string("hidden_act", "gelu_pytorch_tanh"),
                v.positiveDouble("layer_norm_eps", 1e-6));
    }

    /** Reads a stand-alone tower directory's config.json. */
    public static SiglipVisionConfig load(Path towerDir) {
        return from(Json.read(towerDir.resolve("config.json")));
    }
}
