package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.SpecialTokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fake mask predictor over a 12-token vocabulary: embeddings are one-hot rows (hidden size = vocabulary), so every
 * forward decodes the exact ids the sampler fed it, and the logits at each requested position come from a script
 * the test writes. Every forward is recorded (ids per batch row, positions asked for).
 */
final class ScriptedPredictor implements MaskPredictor {
    static final int VOCAB = 12;
    /** Small custom ids: 0..5 are ordinary tokens. */
    static final SpecialTokens TOKENS = new SpecialTokens(11, 10, 9, 8, 7, 6, 9);
    static final int MASK = 11;
    static final int EOT = 6;
    /** BOS and three text ids: generated position r is absolute position {@code P + r}. */
    static final long[] PROMPT = {10, 1, 2, 3};
    static final int P = PROMPT.length;

    /** Logits [vocab] at absolute {@code position} of batch row {@code row} whose current ids are {@code ids}. */
    @FunctionalInterface
    interface Script {
        float[] logits(int row, int[] ids, int position);
    }

    /** One model call: the ids of every batch row and the absolute positions whose logits were requested. */
    record Forward(int[][] ids, long[] positions) {
        int batch() {
            return ids.length;
        }
    }

    private final Script script;
    private final int maxPositions;
    final List<Forward> forwards = new ArrayList<>();

    ScriptedPredictor(Script script) {
        this(script, Integer.MAX_VALUE);
    }

    ScriptedPredictor(Script script, int maxPositions) {
        this.script = script;
        this.maxPositions = maxPositions;
    }

    /** Runs the sampler on {@link #PROMPT} (one-hot rows), freeing everything it allocated. */
    GenerationResult generate(NDManager manager, GenerationOptions options, StepListener listener) {
        try (NDManager m = manager.newSubManager()) {
            return new DiffusionSampler(this, TOKENS).generate(embed(m, PROMPT), options, listener);
        }
    }

    /** Greedy, low-confidence remasking, seed 0, no CFG, and no forbidden ids or stop sequences. */
    static GenerationOptions plain(int genLength, int blockLength, int steps) {
        return new GenerationOptions(genLength, blockLength, steps, 0.0, 0L, 0.0, Remasking.LOW_CONFIDENCE,
                List.of(), List.of());
    }

    /** Zero logits except {@code margin} at {@code token}. */
    static float[] peak(int token, float margin) {
        float[] l = new float[VOCAB];
        l[token] = margin;
        return l;
    }

    /** Zero logits except {@code ma} at {@code a} and {@code mb} at {@code b}. */
    static float[] two(int a, float ma, int b, float mb) {
        float[] l = peak(a, ma);
        l[b] = mb;
        return l;
    }

    /** softmax(peak(token, margin))[token] when {@code suppressed} other ids are at -inf. */
    static double peakProbability(float margin, int suppressed) {
        return Math.exp(margin) / (Math.exp(margin) + (VOCAB - 1 - suppressed));
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int hiddenSize() {
        return VOCAB;
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT32;
    }

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    @Override
    public NDArray embed(NDManager manager, long[] ids) {
        float[] rows = new float[ids.length * VOCAB];
        for (int i = 0; i < ids.length; i++) {
            rows[i * VOCAB + (int) ids[i]] = 1f;
        }
        return manager.create(rows, new Shape(ids.length, VOCAB));
    }

    @Override
    public NDArray logitsAt(NDArray inputsEmbeds, long[] positions) {
        long[] shape = inputsEmbeds.getShape().getShape();
        if (shape.length != 3 || shape[2] != VOCAB) {
            throw new AssertionError("inputs must be [batch, seq, " + VOCAB + "], got " + Arrays.toString(shape));
        }
        int batch = (int) shape[0];
        int seq = (int) shape[1];
        float[] flat = inputsEmbeds.toType(DataType.FLOAT32, false).toFloatArray();
        int[][] ids = new int[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                ids[b][s] = oneHot(flat, (b * seq + s) * VOCAB);
            }
        }
        forwards.add(new Forward(ids, positions.clone()));
        float[] out = new float[batch * positions.length * VOCAB];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < positions.length; p++) {
                float[] l = script.logits(b, ids[b].clone(), (int) positions[p]);
                System.arraycopy(l, 0, out, (b * positions.length + p) * VOCAB, VOCAB);
            }
        }
        return inputsEmbeds.getManager().create(out, new Shape(batch, positions.length, VOCAB));
    }

    /** The id whose one-hot row starts at {@code base}; anything else is a sampler bug worth failing on. */
    private static int oneHot(float[] flat, int base) {
        int id = -1;
        for (int j = 0; j < VOCAB; j++) {
            float v = flat[base + j];
            if (v == 1f && id < 0) {
                id = j;
            } else if (v != 0f) {
                throw new AssertionError("input row is not a one-hot embedding: "
                        + Arrays.toString(Arrays.copyOfRange(flat, base, base + VOCAB)));
            }
        }
        if (id < 0) {
            throw new AssertionError("input row is all zeros");
        }
        return id;
    }
}
