package org.medv.model.llada;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.LladaConfig;
import org.medv.model.device.Scalars;
import org.medv.model.sampler.MaskPredictor;

/**
 * LLaDA's mask predictor: a Llama-style decoder stack without causal masking (LLaDA-V {@code modeling_llada.py}).
 * Every operation is an NDArray operation, so the forward stays differentiable for training.
 *
 * <pre>
 * h   = x + o_proj(attention(rmsnorm1(x)))            bidirectional, rotary positions 0..L-1
 * out = h + down(silu(gate(rmsnorm2(h))) * up(rmsnorm2(h)))
 * logits = lm_head(rmsnorm_final(out))                 untied head, no scaling
 * </pre>
 */
public final class LladaModel implements MaskPredictor, AutoCloseable {
    private final LladaConfig config;
    private final LladaWeights weights;
    private final NDManager manager;
    private final RotaryEmbedding rotary;

    public LladaModel(LladaConfig config, LladaWeights weights, NDManager manager) {
        this.config = config.withVocabSize(weights.vocabRows());
        this.weights = weights;
        this.manager = manager;
        this.rotary = new RotaryEmbedding(config.headDim(), config.ropeTheta(), manager);
    }

    public LladaConfig config() {
        return config;
    }

    public LladaWeights weights() {
        return weights;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public int maxPositions() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public DataType dataType() {
        return weights.embedTokens().getDataType();
    }

    /** Token embeddings [n, hidden] (ids must be real tokens: image placeholders are spliced by the caller). */
    @Override
    public NDArray embed(NDManager m, long[] ids) {
        // idx lives as long as m, not just this call: autograd keeps it for the embedding's backward, and DJL backs
        // it with a Java direct buffer that a GC frees once the array is closed (training then read freed memory)
        NDArray idx = m.create(ids);
        NDArray rows = weights.embedTokens().get(idx);
        rows.attach(m); // results belong to the first operand's manager: move them to the caller's
        return rows;
    }

    /** Final hidden states (after the last RMSNorm) [batch, seq, hidden] for input embeddings [batch, seq, hidden]. */
    public NDArray forward(NDArray inputsEmbeds) {
        long seq = inputsEmbeds.getShape().get(1);
        NDArray[] cosSin = rotary.cosSin(inputsEmbeds.getManager(), seq, inputsEmbeds.getDataType());
        NDArray x = inputsEmbeds;
        for (LladaWeights.Layer layer : weights.layers()) {
            // pre-norm attention block with residual
            NDArray h = x.add(attention(rmsNorm(x, layer.inputNorm()), layer, cosSin));
            // pre-norm SwiGLU block with residual
            NDArray n = rmsNorm(h, layer.postNorm());
            NDArray gate = linear(n, layer.gate());
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid());
            x = h.add(linear(act.mul(linear(n, layer.up())), layer.down()));
        }
        return rmsNorm(x, weights.norm());
    }

    /** Vocabulary logits [batch, n, vocab] (float32) from final hidden states [batch, n, hidden]. */
    public NDArray logits(NDArray finalHidden) {
        return linear(finalHidden, weights.lmHead()).toType(DataType.FLOAT32, false);
    }

    /**
     * Logits only at {@code positions} of each batch row: the forward covers the whole sequence (attention is
     * bidirectional), but the LM head, most of the per-step cost at LLaDA's vocabulary size, runs on those rows.
     */
    @Override
    public NDArray logitsAt(NDArray inputsEmbeds, long[] positions) {
        NDManager owner = inputsEmbeds.getManager();
        try (NDManager scope = owner.newSubManager()) {
            // every intermediate of this forward lives in scope and is freed here; only the logits survive
            inputsEmbeds.tempAttach(scope);
            NDArray hidden = forward(inputsEmbeds);
            NDArray picked = hidden.get(new NDIndex(":, {}", scope.create(positions)));
            NDArray out = logits(picked);
            out.attach(owner);
            return out;
        }
    }

    /** Self-attention without a causal mask; grouped-query attention repeats each key/value head. */
    private NDArray attention(NDArray x, LladaWeights.Layer layer, NDArray[] cosSin) {
        Shape s = x.getShape();
        long b = s.get(0);
        long l = s.get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int hd = config.headDim();
        // projections [b, l, heads*hd] -> [b, heads, l, hd]
        NDArray q = linear(x, layer.q()).reshape(b, l, heads, hd).transpose(0, 2, 1, 3);
        NDArray k = linear(x, layer.k()).reshape(b, l, kvHeads, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(x, layer.v()).reshape(b, l, kvHeads, hd).transpose(0, 2, 1, 3);
        // rotary embedding (rotate_half layout)
        q = rotary.apply(q, cosSin);
        k = rotary.apply(k, cosSin);
        // grouped-query attention: [b, kv, l, hd] -> [b, kv*group, l, hd] (HF repeat_kv)
        int group = config.groupSize();
        if (group > 1) {
            k = k.expandDims(2).broadcast(b, kvHeads, group, l, hd).reshape(b, heads, l, hd);
            v = v.expandDims(2).broadcast(b, kvHeads, group, l, hd).reshape(b, heads, l, hd);
        }
        // scaled dot-product attention, fully bidirectional: [b, heads, l, l]
        NDArray scores = Scalars.div(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(hd));
        NDArray probs = scores.softmax(-1);
        NDArray out = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, l, (long) heads * hd);
        return linear(out, layer.o());
    }

    /** RMSNorm computed in float32, cast back to the input type, then scaled (LLaDARMSNorm). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        DataType in = x.getDataType();
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normed = x32.mul(Scalars.rdiv(1f, variance.add(config.rmsNormEps()).sqrt()));
        return normed.toType(in, false).mul(weight); // activation first: results belong to its manager
    }

    private static NDArray linear(NDArray x, NDArray weight) {
        return x.getNDArrayInternal().linear(x, weight, null).singletonOrThrow();
    }

    @Override
    public void close() {
        weights.close();
        rotary.close();
    }
}
