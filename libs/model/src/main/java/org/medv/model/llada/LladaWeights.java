package org.medv.model.llada;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medv.model.ModelLoadException;
import org.medv.model.config.LladaConfig;
import org.medv.model.safetensors.Checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * The mask predictor's tensors. The checkpoint names live here and nowhere else: the LLaDA-V / LLaDA-MedV layout
 * ({@code model.layers.N.self_attn.q_proj.weight}) and the original LLaDA-8B-Instruct one
 * ({@code model.transformer.blocks.N.q_proj.weight}), mapped as LLaDA-V's {@code rename_checkpoint.py} does.
 */
public record LladaWeights(NDArray embedTokens, List<Layer> layers, NDArray norm, NDArray lmHead) implements AutoCloseable {

    /** One decoder block; projection weights are [out, in] as in PyTorch's Linear. */
    public record Layer(NDArray inputNorm, NDArray q, NDArray k, NDArray v, NDArray o, NDArray postNorm,
                        NDArray gate, NDArray up, NDArray down) {
        NDList all() {
            return new NDList(inputNorm, q, k, v, o, postNorm, gate, up, down);
        }
    }

    /** Tensor names of one checkpoint layout. */
    record Names(LladaConfig.WeightLayout layout) {
        String embed() {
            return layout == LladaConfig.WeightLayout.LLAMA ? "model.embed_tokens.weight" : "model.transformer.wte.weight";
        }

        String norm() {
            return layout == LladaConfig.WeightLayout.LLAMA ? "model.norm.weight" : "model.transformer.ln_f.weight";
        }

        String lmHead() {
            return layout == LladaConfig.WeightLayout.LLAMA ? "lm_head.weight" : "model.transformer.ff_out.weight";
        }

        String layer(int i, String part) {
            if (layout == LladaConfig.WeightLayout.LLAMA) {
                String p = "model.layers." + i + ".";
                return p + switch (part) {
                    case "attn_norm" -> "input_layernorm.weight";
                    case "q" -> "self_attn.q_proj.weight";
                    case "k" -> "self_attn.k_proj.weight";
                    case "v" -> "self_attn.v_proj.weight";
                    case "o" -> "self_attn.o_proj.weight";
                    case "ff_norm" -> "post_attention_layernorm.weight";
                    case "gate" -> "mlp.gate_proj.weight";
                    case "up" -> "mlp.up_proj.weight";
                    case "down" -> "mlp.down_proj.weight";
                    default -> throw new IllegalArgumentException(part);
                };
            }
            String p = "model.transformer.blocks." + i + ".";
            return p + switch (part) {
                case "attn_norm" -> "attn_norm.weight";
                case "q" -> "q_proj.weight";
                case "k" -> "k_proj.weight";
                case "v" -> "v_proj.weight";
                case "o" -> "attn_out.weight";
                case "ff_norm" -> "ff_norm.weight";
                case "gate" -> "ff_proj.weight";
                case "up" -> "up_proj.weight";
                case "down" -> "ff_out.weight";
                default -> throw new IllegalArgumentException(part);
            };
        }
    }

    /**
     * Loads and shape-checks every tensor. The embedding row count is read from the checkpoint (LLaDA-V resizes
     * it to the tokenizer's 126349 rows while its config may still say 126464), so {@code cfg} is returned adjusted.
     */
    public static LladaWeights load(Checkpoint ckpt, LladaConfig cfg, NDManager m, DataType dtype) {
        Names n = new Names(cfg.layout());
        int d = cfg.hiddenSize();
        int kvDim = cfg.numKeyValueHeads() * cfg.headDim();
        int ff = cfg.intermediateSize();
        long rows = ckpt.info(n.embed()).shape()[0];
        NDArray embed = ckpt.load(m, n.embed(), new long[] {rows, d}, dtype);
        String headName = cfg.tieWordEmbeddings() && !ckpt.contains(n.lmHead()) ? n.embed() : n.lmHead();
        NDArray head = ckpt.load(m, headName, new long[] {rows, d}, dtype);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            layers.add(new Layer(
                    ckpt.load(m, n.layer(i, "attn_norm"), new long[] {d}, dtype),
                    ckpt.load(m, n.layer(i, "q"), new long[] {d, d}, dtype),
                    ckpt.load(m, n.layer(i, "k"), new long[] {kvDim, d}, dtype),
                    ckpt.load(m, n.layer(i, "v"), new long[] {kvDim, d}, dtype),
                    ckpt.load(m, n.layer(i, "o"), new long[] {d, d}, dtype),
                    ckpt.load(m, n.layer(i, "ff_norm"), new long[] {d}, dtype),
                    ckpt.load(m, n.layer(i, "gate"), new long[] {ff, d}, dtype),
                    ckpt.load(m, n.layer(i, "up"), new long[] {ff, d}, dtype),
                    ckpt.load(m, n.layer(i, "down"), new long[] {d, ff}, dtype)));
        }
        if (ckpt.contains(n.layer(cfg.numHiddenLayers(), "q"))) {
            throw new ModelLoadException("checkpoint " + ckpt.directory() + " has more decoder layers than "
                    + "num_hidden_layers=" + cfg.numHiddenLayers());
        }
        NDArray norm = ckpt.load(m, n.norm(), new long[] {d}, dtype);
        return new LladaWeights(embed, List.copyOf(layers), norm, head);
    }

    /** Whether a checkpoint holds a language model in either layout. */
    public static boolean present(Checkpoint ckpt, LladaConfig cfg) {
        return ckpt.contains(new Names(cfg.layout()).embed());
    }

    public int vocabRows() {
        return Math.toIntExact(embedTokens.getShape().get(0));
    }

    /** Every parameter, for training and for freezing. */
    public NDList parameters() {
        NDList all = new NDList(embedTokens, norm, lmHead);
        layers.forEach(l -> all.addAll(l.all()));
        return all;
    }

    @Override
    public void close() {
        parameters().close();
    }
}
