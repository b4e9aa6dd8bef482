package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The decoding policy (dInfer's term): from the logits at the candidate positions, which token each would take
 * ({@link #propose}), how sure the model is ({@code confidence}), and which positions a step commits
 * ({@link #commit}): LLaDA's fixed count, or Fast-dLLM's confidence threshold.
 */
final class DecodingPolicy {
    private DecodingPolicy() {
    }

    /** The candidate tokens and their confidences at the masked positions. */
    record Proposal(int[] tokens, double[] confidence) {
    }

    /**
     * {@code x0} and its confidence at each of the n rows of {@code logits} [n, vocab], as {@code generate.py}
     * computes them: greedy argmax (temperature 0) or Gumbel-max sampling in float64, then for low-confidence
     * remasking the float64 softmax probability of the chosen token (logits one float32 step apart can tie in
     * float32 and be committed in another order), for random remasking a uniform draw.
     */
    static Proposal propose(NDArray logits, GenerationOptions o, SplittableRandom rng) {
        int n = Math.toIntExact(logits.getShape().get(0));
        int[] x0 = new int[n];
        if (o.temperature() == 0) {
            long[] argmax = logits.argMax(-1).toLongArray();
            for (int r = 0; r < n; r++) {
                x0[r] = (int) argmax[r];
            }
        } else {
            gumbelArgmax(logits.toFloatArray(), n, o.temperature(), rng, x0);
        }
        double[] conf = new double[n];
        if (o.remasking() == Remasking.LOW_CONFIDENCE) {
            conf = confidence(logits, x0);
        } else {
            for (int r = 0; r < n; r++) {
                conf[r] = rng.nextDouble();
            }
        }
        return new Proposal(x0, conf);
    }

    /** {@code softmax(logits.float64)[r, x0[r]]}: the one softmax path of the sampler. */
    static double[] confidence(NDArray logits, int[] x0) {
        NDManager m = logits.getManager();
        long[] rows = new long[x0.length];
        long[] cols = new long[x0.length];
        for (int r = 0; r < x0.length; r++) {
            rows[r] = r;
            cols[r] = x0[r];
        }
        NDArray p = logits.toType(DataType.FLOAT64, false).softmax(-1);
        return p.get(new NDIndex("{}, {}", m.create(rows), m.create(cols))).toDoubleArray();
    }

    /**
     * Gumbel-max sampling in float64 ({@code add_gumbel_noise}): argmax of {@code exp(l) / (-log u)^T} with u drawn
     * from the seeded generator, row by row.
     */
    private static void gumbelArgmax(float[] logits, int n, double temperature, SplittableRandom rng, int[] x0) {
        int v = logits.length / n;
        for (int r = 0; r < n; r++) {
            int base = r * v;
            double best = Double.NEGATIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < v; j++) {
                double score = Math.exp(logits[base + j]) / Math.pow(-Math.log(rng.nextDouble()), temperature);
                if (score > best) {
                    best = score;
                    arg = j;
                }
            }
            x0[r] = arg;
        }
    }

    /**
     * Which candidates a step commits (indices into the candidate arrays, most confident first). Threshold 0: the
     * {@code scheduled} most confident (LLaDA). Otherwise every candidate whose confidence is at least the threshold,
     * and never fewer than {@code atLeast} (Fast-dLLM commits at least one; medv also keeps the block within its
     * steps).
     */
    static int[] commit(double[] confidence, int scheduled, double threshold, int atLeast) {
        if (threshold <= 0) {
            return topK(confidence, scheduled);
        }
        int[] ranked = topK(confidence, confidence.length);
        int above = 0;
        while (above < ranked.length && confidence[ranked[above]] >= threshold) {
            above++;
        }
        return java.util.Arrays.copyOf(ranked, Math.min(ranked.length, Math.max(above, atLeast)));
    }

    /**
     * The {@code k} most confident candidates ({@code torch.topk}), finite confidences only; ties go to the
     * earlier position.
     */
    static int[] topK(double[] confidence, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < confidence.length; i++) {
            if (Double.isFinite(confidence[i])) {
                order.add(i);
            }
        }
        order.sort((a, b) -> {
            int c = Double.compare(confidence[b], confidence[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order.stream().limit(Math.max(0, k)).mapToInt(Integer::intValue).toArray();
    }
}
