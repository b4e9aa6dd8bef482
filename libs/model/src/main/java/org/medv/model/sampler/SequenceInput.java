package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;

/**
 * One sequence of a packed forward: a request's conditional (or classifier-free guidance's unconditional) row, or the
 * part of it a cached step recomputes.
 *
 * @param embeds    input embeddings [n, hidden] of the positions this forward computes
 * @param positions their absolute positions in the sequence (rotary angles), length n
 * @param context   keys and values of the sequence's other positions to attend to, or null (the whole sequence is
 *                  in {@code embeds})
 * @param keepKv    return this forward's keys and values (a cache refresh)
 * @param logitRows rows of {@code embeds} whose vocabulary logits are wanted, in that order
 */
public record SequenceInput(NDArray embeds, long[] positions, KvCache context, boolean keepKv, long[] logitRows) {
    public int length() {
        return positions.length;
    }
}
