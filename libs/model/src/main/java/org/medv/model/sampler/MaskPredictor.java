package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * What the diffusion sampler needs from a mask predictor: token embeddings, and vocabulary logits at chosen
 * positions of a sequence given as embeddings. {@code LladaModel} is the real one; tests script fakes.
 */
public interface MaskPredictor {
    int vocabSize();

    int hiddenSize();

    DataType dataType();

    /** Longest sequence (prompt + answer) the model was configured for. */
    default int maxPositions() {
        return Integer.MAX_VALUE;
    }

    /** Embeddings [n, hidden] of token ids, attached to {@code manager}. */
    NDArray embed(NDManager manager, long[] ids);

    /**
     * Float32 logits [batch, positions.length, vocab] for input embeddings [batch, seq, hidden]. The returned array
     * belongs to the caller, who may modify it in place.
     */
    NDArray logitsAt(NDArray inputsEmbeds, long[] positions);
}
