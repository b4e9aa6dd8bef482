package org.medv.model.llada;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embedding in the NeoX "rotate_half" layout (LLaDARotaryEmbedding): the head dimension is split in
 * two halves, {@code q' = q cos + rotate_half(q) sin} with {@code rotate_half(x) = cat(-x2, x1)}. The angles are
 * computed in float32 as the reference does, then cast to the activation type.
 */
final class RotaryEmbedding implements AutoCloseable {
    private final int dim;
    private final NDManager manager;
    private final NDArray invFreq;

    RotaryEmbedding(int dim, double theta, NDManager parent) {
        this.dim = dim;
        this.manager = parent.newSubManager();
        // inv_freq = 1 / theta^(arange(0, dim, 2) / dim)   [dim/2]
        NDArray exponents = manager.arange(0, dim, 2).toType(DataType.FLOAT32, false).div(dim);
        this.invFreq = manager.create((float) theta).pow(exponents).getNDArrayInternal().rdiv(1f);
    }

    /** cos and sin tables [seq, dim] for positions 0..seq-1. */
    NDArray[] cosSin(NDManager m, long seq, DataType type) {
        return cosSin(m, m.arange(0, (int) seq).toType(DataType.FLOAT32, false), type);
    }

    /** cos and sin tables [n, dim] for the given absolute positions. */
    NDArray[] cosSinAt(NDManager m, long[] positions, DataType type) {
        float[] t = new float[positions.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = positions[i];
        }
        return cosSin(m, m.create(t), type);
    }

    private NDArray[] cosSin(NDManager m, NDArray t, DataType type) {
        long seq = t.getShape().get(0);
        NDArray freqs = t.reshape(seq, 1).mul(invFreq.reshape(1, dim / 2));
        NDArray emb = NDArrays.concat(new ai.djl.ndarray.NDList(freqs, freqs), -1);
        NDArray cos = emb.cos().toType(type, false);
        NDArray sin = emb.sin().toType(type, false);
        return new NDArray[] {cos, sin};
    }

    /** x [batch, heads, seq, dim] rotated by position. */
    NDArray apply(NDArray x, NDArray[] cosSin) {
        int half = dim / 2;
        NDArray x1 = x.get(new NDIndex("..., :" + half));
        NDArray x2 = x.get(new NDIndex("..., " + half + ":"));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
    }

    @Override
    public void close() {
        manager.close();
    }
}
