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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * MLP runs once for all of them. Attention runs per group of sequences of one shape (as many positions, as long
     * a cached context): a group's queries, keys and values are stacked into one batch, so a step of eight
     * same-shaped requests costs one attention, not eight; each sequence still attends only to its own keys (its
     * cached context, if any, and its forwarded positions). Packing needs no padding, and a sequence's numbers do not
     * depend on the others in the pack. Intermediates are freed layer by layer; only the logits (and kept keys and
     * values) survive.
     */
    @Override
    public List<SequenceOutput> forward(NDManager out, List<SequenceInput> sequences) {
        int count = sequences.size();
        List<int[]> groups = shapeGroups(sequences);
        int[] order = groups.stream().flatMapToInt(Arrays::stream).toArray(); // packing order
        long[] offsets = new long[count + 1]; // by packing index
        for (int p = 0; p < count; p++) {
            offsets[p + 1] = offsets[p] + sequences.get(order[p]).length();
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
            for (int p = 0; p < count; p++) {
                SequenceInput s = sequences.get(order[p]);
                System.arraycopy(s.positions(), 0, positions, (int) offsets[p], s.length());
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
                    int p = 0;
                    for (int[] group : groups) {
                        attended.add(attendGroup(sequences, group, offsets, p, q, k, v, l, lm, out, keptK, keptV,
                                groups.size() == 1));
                        p += group.length;
                    }
                    NDArray a = attended.size() == 1 ? attended.head() : NDArrays.concat(attended, 2);
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
            for (int p = 0; p < count; p++) {
                for (long row : sequences.get(order[p]).logitRows()) {
                    picked[r++] = offsets[p] + row;
                }
            }
            NDArray logits = logits(rmsNorm(x.get(new NDIndex(":, {}", scope.create(picked))), weights.norm()))
                    .squeeze(0);
            SequenceOutput[] result = new SequenceOutput[count];
            long from = 0;
            for (int p = 0; p < count; p++) {
                int i = order[p];
                long rowsOfI = sequences.get(i).logitRows().length;
                NDArray li = logits.get(new NDIndex(from + ":" + (from + rowsOfI)));
                li.attach(out);
                from += rowsOfI;
                result[i] = new SequenceOutput(li, keptK[i] == null ? null : new KvCache(out, keptK[i], keptV[i]));
            }
            return List.of(result);
        }
    }

    /**
     * Groups of sequences (indices, in order of first appearance) that attention can batch: as many forwarded
     * positions and as long a cached context (or none).
     */
    private static List<int[]> shapeGroups(List<SequenceInput> sequences) {
        Map<List<Long>, List<Integer>> byShape = new LinkedHashMap<>();
        for (int i = 0; i < sequences.size(); i++) {
            SequenceInput s = sequences.get(i);
            byShape.computeIfAbsent(List.of((long) s.length(), s.context() == null ? -1L : s.context().length()),
                    key -> new ArrayList<>()).add(i);
        }
        List<int[]> groups = new ArrayList<>();
        byShape.values().forEach(g -> groups.add(g.stream().mapToInt(Integer::intValue).toArray()));
        return groups;
    }

    /**
     * Attention of one shape group, whose sequences sit at packing indices {@code p .. p + group.length - 1}:
     * returns its output in the packed layout [1, heads, positions, headDim]. {@code whole}: the group is the
     * entire pack (nothing to slice).
     */
    private NDArray attendGroup(List<SequenceInput> sequences, int[] group, long[] offsets, int p, NDArray q,
                                NDArray k, NDArray v, int l, NDManager lm, NDManager out, NDArray[][] keptK,
                                NDArray[][] keptV, boolean whole) {
        int b = group.length;
        long len = sequences.get(group[0]).length();
        for (int j = 0; j < b; j++) {
            if (sequences.get(group[j]).keepKv()) {
                NDArray kj = b == 1 && whole ? k : slice(k, offsets[p + j], offsets[p + j + 1]);
                NDArray vj = b == 1 && whole ? v : slice(v, offsets[p + j], offsets[p + j + 1]);
                keptK[group[j]][l] = kj.duplicate();
                keptV[group[j]][l] = vj.duplicate();
                keptK[group[j]][l].attach(out);
                keptV[group[j]][l].attach(out);
            }
        }
        NDArray qg = whole ? q : slice(q, offsets[p], offsets[p + b]);
        NDArray kg = whole ? k : slice(k, offsets[p], offsets[p + b]);
        NDArray vg = whole ? v : slice(v, offsets[p], offsets[p + b]);
        if (b > 1) { // [1, heads, b*len, hd] -> [b, heads, len, hd]
            qg = unpack(qg, b, len);
            kg = unpack(kg, b, len);
            vg = unpack(vg, b, len);
        }
        if (sequences.get(group[0]).context() != null) {
            NDArray ck = sequences.get(group[0]).context().keys(l);
            NDArray cv = sequences.get(group[0]).context().values(l);
            if (b > 1) {
                NDList keys = new NDList();
                NDList values = new NDList();
                for (int i : group) {
                    keys.add(sequences.get(i).context().keys(l));
                    values.add(sequences.get(i).context().values(l));
                }
                ck = NDArrays.concat(keys, 0);
                cv = NDArrays.concat(values, 0);
                ck.attach(lm);
                cv.attach(lm);
            }
            kg = ck.concat(kg, 2);
            vg = cv.concat(vg, 2);
            kg.attach(lm); // the result of an op belongs to its first operand's manager: the cache's
            vg.attach(lm);
        }
        NDArray a = attend(qg, kg, vg);
        if (b > 1) { // back to the packed layout
            Shape s = a.getShape();
            a = a.transpose(1, 0, 2, 3).reshape(1, s.get(1), b * len, s.get(3));
        }
        return a;
    }

    /** Positions {@code from .. to - 1} of a packed [1, heads, total, hd] array. */
    private static NDArray slice(NDArray x, long from, long to) {
        return x.get(new NDIndex(":, :, " + from + ":" + to));
    }

    /** A packed group [1, heads, b*len, hd] as a batch [b, heads, len, hd]. */
    private static NDArray unpack(NDArray x, int b, long len) {
        Shape s = x.getShape();
        return x.reshape(s.get(1), b, len, s.get(3)).transpose(1, 0, 2, 3);
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
