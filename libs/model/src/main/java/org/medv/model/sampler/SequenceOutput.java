package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;

/**
 * What a packed forward returns for one {@link SequenceInput}.
 *
 * @param logits float32 logits [logitRows, vocab]; the caller owns them and may modify them in place
 * @param kv     keys and values of the forwarded positions when {@code keepKv} was asked, else null
 */
public record SequenceOutput(NDArray logits, KvCache kv) {
}
