package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Keys and values of some positions of one sequence, per layer: [1, kvHeads, n, headDim] each, rotary already
 * applied (so they can be attended to from any position, in any order). Owns its arrays through its own manager.
 * Per request this is {@code layers x 2 x n x kvHeads x headDim} numbers: LLaDA-8B (32 layers, 32 x 128) holds
 * 0.5 MiB per position in f16, 472 MiB for a 900-position LLaDA-MedV prompt and answer.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    /** Takes the arrays into a new manager under {@code parent}. */
    public KvCache(NDManager parent, NDArray[] keys, NDArray[] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException(keys.length + " key layers but " + values.length + " value layers");
        }
        this.manager = parent.newSubManager();
        this.keys = keys;
        this.values = values;
        for (int l = 0; l < keys.length; l++) {
            keys[l].attach(manager);
            values[l].attach(manager);
        }
    }

    public int layers() {
        return keys.length;
    }

    /** Number of positions held. */
    public long length() {
        return keys.length == 0 ? 0 : keys[0].getShape().get(2);
    }

    public NDArray keys(int layer) {
        return keys[layer];
    }

    public NDArray values(int layer) {
        return values[layer];
    }

    /** A new cache of the rows {@code [from, to)} and, when {@code from2 < to2}, {@code [from2, to2)} of this one. */
    public KvCache select(NDManager parent, long from, long to, long from2, long to2) {
        NDArray[] k = new NDArray[keys.length];
        NDArray[] v = new NDArray[values.length];
        for (int l = 0; l < keys.length; l++) {
            k[l] = rows(keys[l], from, to, from2, to2);
            v[l] = rows(values[l], from, to, from2, to2);
        }
        return new KvCache(parent, k, v);
    }

    private static NDArray rows(NDArray a, long from, long to, long from2, long to2) {
        NDArray first = a.get(new NDIndex(":, :, " + from + ":" + to));
        if (from2 >= to2) {
            return first;
        }
        return first.concat(a.get(new NDIndex(":, :, " + from2 + ":" + to2)), 2);
    }

    @Override
    public void close() {
        manager.close();
    }
}
