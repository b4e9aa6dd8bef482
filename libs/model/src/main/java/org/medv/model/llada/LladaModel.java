package org.medv.model.llada;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.LladaConfig;
import org.medv.model.device.Scalars;
import org.medv.model.sampler.KvCache;
import org.medv.model.sampler.MaskPredictor;
import org.medv.model.sampler.SequenceInput;
import org.medv.model.sampler.SequenceOutput;

import java.util.ArrayList;
import java.util.List;

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

    /** Self-attention without a causal mask (training's batched forward). */
    private NDArray attention(NDArray x, LladaWeights.Layer layer, NDArray[] cosSin) {
        Shape s = x.getShape();
        long b = s.get(0);
        long l = s.get(1);
        NDArray q = rotary.apply(heads(linear(x, layer.q()), b, l, config.numAttentionHeads()), cosSin);
        NDArray k = rotary.apply(heads(linear(x, layer.k()), b, l, config.numKeyValueHeads()), cosSin);
        NDArray v = heads(linear(x, layer.v()), b, l, config.numKeyValueHeads());
        return linear(merge(attend(q, k, v)), layer.o());
    }

    /** [b, l, n*hd] -> [b, n, l, hd]. */
    private NDArray heads(NDArray x, long b, long l, int n) {
        return x.reshape(b, l, n, config.headDim()).transpose(0, 2, 1, 3);
    }

    /** [b, heads, l, hd] -> [b, l, heads*hd]. */
    private static NDArray merge(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /**
     * Scaled dot-product attention, fully bidirectional: queries [b, heads, lq, hd] over keys and values
     * [b, kvHeads, lk, hd]; grouped-query attention repeats each key/value head (HF repeat_kv).
     */
    private NDArray attend(NDArray q, NDArray k, NDArray v) {
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int group = config.groupSize();
        if (group > 1) {
            Shape ks = k.getShape();
            long b = ks.get(0);
            long lk = ks.get(2);
            int hd = config.headDim();
            k = k.expandDims(2).broadcast(b, kvHeads, group, lk, hd).reshape(b, heads, lk, hd);
            v = v.expandDims(2).broadcast(b, kvHeads, group, lk, hd).reshape(b, heads, lk, hd);
        }
        NDArray scores = Scalars.div(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(config.headDim()));
        return scores.softmax(-1).matMul(v);
    }

    /**
     * The inference forward: several sequences packed along one axis ([1, sum n, hidden]), so every projection and
     * MLP runs once for all of them, while attention runs per sequence over its own keys: its cached context (if
     * any) and its forwarded positions. Packing needs no padding, and a sequence's numbers do not depend on the
     * others in the pack. Intermediates are freed layer by layer; only the logits (and kept keys and values) survive.
     */
    @Override
    public List<SequenceOutput> forward(NDManager out, List<SequenceInput> sequences) {
        int count = sequences.size();
        long[] offsets = new long[count + 1];
        for (int i = 0; i < count; i++) {
            offsets[i + 1] = offsets[i] + sequences.get(i).length();
        }
        long total = offsets[count];
        int layers = weights.layers().size();
        NDArray[][] keptK = new NDArray[count][];
        NDArray[][] keptV = new NDArray[count][];
        for (int i = 0; i < count; i++) {
            if (sequences.get(i).keepKv()) {
                keptK[i] = new NDArray[layers];
                keptV[i] = new NDArray[layers];
            }
        }
        try (NDManager scope = out.newSubManager()) {
            long[] positions = new long[(int) total];
            NDList parts = new NDList();
            for (int i = 0; i < count; i++) {
                SequenceInput s = sequences.get(i);
                System.arraycopy(s.positions(), 0, positions, (int) offsets[i], s.length());
                parts.add(s.embeds());
            }
            NDArray x = (count == 1 ? parts.head().duplicate() : NDArrays.concat(parts, 0)).expandDims(0);
            x.attach(scope);
            NDArray[] cosSin = rotary.cosSinAt(scope, positions, x.getDataType());
            for (int l = 0; l < layers; l++) {
                LladaWeights.Layer layer = weights.layers().get(l);
                try (NDManager lm = scope.newSubManager()) {
                    x.attach(lm); // the previous layer's output is freed with this layer's intermediates
                    NDArray n = rmsNorm(x, layer.inputNorm());
                    NDArray q = rotary.apply(heads(linear(n, layer.q()), 1, total, config.numAttentionHeads()),
                            cosSin);
                    NDArray k = rotary.apply(heads(linear(n, layer.k()), 1, total, config.numKeyValueHeads()),
                            cosSin);
                    NDArray v = heads(linear(n, layer.v()), 1, total, config.numKeyValueHeads());
                    NDList attended = new NDList();
                    for (int i = 0; i < count; i++) {
                        SequenceInput s = sequences.get(i);
                        NDArray qi = count == 1 ? q : q.get(new NDIndex(":, :, " + offsets[i] + ":" + offsets[i + 1]));
                        NDArray ki = count == 1 ? k : k.get(new NDIndex(":, :, " + offsets[i] + ":" + offsets[i + 1]));
                        NDArray vi = count == 1 ? v : v.get(new NDIndex(":, :, " + offsets[i] + ":" + offsets[i + 1]));
                        if (s.keepKv()) {
                            keptK[i][l] = ki.duplicate();
                            keptV[i][l] = vi.duplicate();
                            keptK[i][l].attach(out);
                            keptV[i][l].attach(out);
                        }
                        if (s.context() != null) {
                            ki = s.context().keys(l).concat(ki, 2);
                            vi = s.context().values(l).concat(vi, 2);
                            ki.attach(lm); // the result of an op belongs to its first operand's manager: the cache's
                            vi.attach(lm);
                        }
                        attended.add(attend(qi, ki, vi));
                    }
                    NDArray a = count == 1 ? attended.head() : NDArrays.concat(attended, 2);
                    NDArray h = x.add(linear(merge(a), layer.o()));
                    NDArray m2 = rmsNorm(h, layer.postNorm());
                    NDArray gate = linear(m2, layer.gate());
                    NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid());
                    x = h.add(linear(act.mul(linear(m2, layer.up())), layer.down()));
                    x.attach(scope);
                }
            }
            // the LM head, most of a step's cost at LLaDA's vocabulary, runs only on the rows asked for
            int rows = 0;
            for (SequenceInput s : sequences) {
                rows += s.logitRows().length;
            }
            long[] picked = new long[rows];
            int r = 0;
            for (int i = 0; i < count; i++) {
                for (long row : sequences.get(i).logitRows()) {
                    picked[r++] = offsets[i] + row;
                }
            }
            NDArray logits = logits(rmsNorm(x.get(new NDIndex(":, {}", scope.create(picked))), weights.norm()))
                    .squeeze(0);
            List<SequenceOutput> result = new ArrayList<>();
            long from = 0;
            for (int i = 0; i < count; i++) {
                long n = sequences.get(i).logitRows().length;
                NDArray li = logits.get(new NDIndex(from + ":" + (from + n)));
                li.attach(out);
                from += n;
                result.add(new SequenceOutput(li, keptK[i] == null ? null : new KvCache(out, keptK[i], keptV[i])));
            }
            return result;
        }
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
