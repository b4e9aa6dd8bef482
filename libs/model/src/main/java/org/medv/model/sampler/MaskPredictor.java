package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the diffusion sampler needs from a mask predictor: token embeddings, and vocabulary logits at chosen
 * positions of sequences given as embeddings. {@code LladaModel} is the real one (a packed forward over several
 * sequences, reading and writing keys and values); tests script fakes, which only need {@link #logitsAt}.
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

    /**
     * One forward over several sequences (requests, or guidance's two rows), each with its own length, positions,
     * cached context and logit rows; outputs belong to {@code out}, in input order. A sequence's result does not
     * depend on the others in the pack.
     *
     * <p>This default serves predictors without a cache: every sequence must be whole (positions 0..n-1, no context,
     * no keys kept); sequences of one length asking for the same rows share one {@link #logitsAt} call as a batch.
     */
    default List<SequenceOutput> forward(NDManager out, List<SequenceInput> sequences) {
        List<SequenceOutput> result = new ArrayList<>();
        int i = 0;
        while (i < sequences.size()) {
            SequenceInput first = sequences.get(i);
            int j = i + 1;
            while (j < sequences.size() && sequences.get(j).length() == first.length()
                    && Arrays.equals(sequences.get(j).logitRows(), first.logitRows())) {
                j++;
            }
            NDList rows = new NDList();
            for (SequenceInput s : sequences.subList(i, j)) {
                if (s.context() != null || s.keepKv()) {
                    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no key/value cache");
                }
                for (int p = 0; p < s.length(); p++) {
                    if (s.positions()[p] != p) {
                        throw new UnsupportedOperationException(getClass().getSimpleName()
                                + " forwards whole sequences only");
                    }
                }
                rows.add(s.embeds().expandDims(0));
            }
            NDArray batch = rows.size() == 1 ? rows.head() : NDArrays.concat(rows, 0);
            NDArray logits = logitsAt(batch, first.logitRows());
            for (int b = 0; b < j - i; b++) {
                NDArray l = logits.get(b);
                l.attach(out);
                result.add(new SequenceOutput(l, null));
            }
            i = j;
        }
        return result;
    }
}
