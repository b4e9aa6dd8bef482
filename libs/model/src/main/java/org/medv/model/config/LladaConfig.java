package org.medv.model.config;

import org.medv.model.ModelLoadException;

/**
 * The LLaDA mask predictor's shape, with the Llama-style keys of LLaDA-V / LLaDA-MedV {@code config.json}
 * ({@code hidden_size}, {@code num_key_value_heads}, ...). The original LLaDA-8B-Instruct layout ({@code d_model},
 * {@code n_layers}, ...) is read by {@link #fromOriginal} into the same record; {@code layout} says which tensor
 * names the checkpoint uses.
 */
public record LladaConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        WeightLayout layout) {

    /** Which tensor naming the checkpoint uses. */
    public enum WeightLayout {
        /** LLaDA-V / LLaDA-MedV re-packaging: {@code model.layers.N.self_attn.q_proj.weight}, {@code lm_head.weight}. */
        LLAMA,
        /** GSAI-ML/LLaDA-8B-Instruct: {@code model.transformer.blocks.N.q_proj.weight}, {@code model.transformer.ff_out.weight}. */
        ORIGINAL
    }

    public LladaConfig {
        if (hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || vocabSize <= 0 || intermediateSize <= 0) {
            throw new ModelLoadException("LLaDA config needs positive sizes: hidden_size=" + hiddenSize
                    + ", num_hidden_layers=" + numHiddenLayers + ", num_attention_heads=" + numAttentionHeads
                    + ", vocab_size=" + vocabSize + ", intermediate_size=" + intermediateSize);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelLoadException("hidden_size=" + hiddenSize + " is not divisible by num_attention_heads="
                    + numAttentionHeads);
        }
        if (numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new ModelLoadException("num_attention_heads=" + numAttentionHeads
                    + " is not a multiple of num_key_value_heads=" + numKeyValueHeads);
        }
        if ((hiddenSize / numAttentionHeads) % 2 != 0) {
            throw new ModelLoadException("head dim hidden_size / num_attention_heads = " + hiddenSize + " / "
                    + numAttentionHeads + " = " + hiddenSize / numAttentionHeads + " must be even for rotary embeddings");
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Query heads per key/value head (1 = plain multi-head attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Whether a config.json is in the original OLMo-style LLaDA layout. */
    static boolean isOriginal(Json json) {
        return json.has("d_model");
    }

    static LladaConfig fromLlama(Json j) {
        int heads = j.size("num_attention_heads");
        return new LladaConfig(
                j.size("vocab_size"),
                j.size("hidden_size"),
                j.size("intermediate_size"),
                j.size("num_hidden_layers"),
                heads,
                j.size("num_key_value_heads", heads),
                j.size("max_position_embeddings", 4096),
                j.positiveDouble("rms_norm_eps", 1e-5),
                j.positiveDouble("rope_theta", 10000.0),
                j.bool("tie_word_embeddings", false),
                WeightLayout.LLAMA);
    }

    /** GSAI-ML/LLaDA-8B-Instruct's config: mlp_hidden_size wins over mlp_ratio, embedding_size over vocab_size. */
    static LladaConfig fromOriginal(Json j) {
        int dModel = j.size("d_model");
        int heads = j.size("n_heads");
        int kv = j.size("n_kv_heads", heads);
        int mlp = j.has("mlp_hidden_size") ? j.size("mlp_hidden_size") : j.size("mlp_ratio", 4) * dModel;
        int vocab = j.has("embedding_size") ? j.size("embedding_size") : j.size("vocab_size");
        if (!"rms".equals(j.string("layer_norm_type", "rms"))) {
            throw new ModelLoadException("config " + j.file() + ": layer_norm_type "
                    + j.string("layer_norm_type", "") + " is not supported (LLaDA uses rms)");
        }
        if (j.bool("include_bias", false) || j.bool("attention_layer_norm", false)) {
            throw new ModelLoadException("config " + j.file() + ": biases and qk-norm are not part of LLaDA-8B");
        }
        return new LladaConfig(vocab, dModel, mlp, j.size("n_layers"), heads, kv,
                j.size("max_sequence_length", 4096), j.positiveDouble("rms_norm_eps", 1e-5),
                j.positiveDouble("rope_theta", 10000.0), j.bool("weight_tying", false), WeightLayout.ORIGINAL);
    }

    /** Returns this config with the row count the checkpoint actually has (LLaDA-V resizes to len(tokenizer)). */
    public LladaConfig withVocabSize(int rows) {
        return new LladaConfig(rows, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, maxPositionEmbeddings, rmsNormEps, ropeTheta, tieWordEmbeddings, layout);
    }
}
