package org.medv.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * LLaDA's supervised recipe pads every answer of a mini-batch with EOS to the batch's length and keeps those EOS
 * tokens in the loss (LLaDA §2.3; LLaDA-MedV's collator pads the labels with the pad id, which is EOS), so the model
 * learns what an answer's tail looks like. A model trained on short batches only never sees the positions an answer
 * of 128 or 256 masked tokens occupies at inference, and answers wrongly there. So each micro-batch is padded to a
 * length drawn for it: half of the micro-batches to their longest sample (as upstream), the other half to a length
 * drawn log-uniformly between that and {@code maxLength} ids (log-uniform: every scale of answer length gets the same
 * share). The labels of the padding are EOS. A micro-batch padded beyond its longest sample keeps only as many of
 * its samples as fit the ids the unpadded batch would have had ({@link #keep}), so a step costs about the same
 * whatever its length, and long tails cost no more than short answers (the loss is a per-sample mean, so its scale
 * does not depend on how many samples are kept).
 */
record EosPadding(int maxLength, int eos) {
    /** The share of micro-batches padded only to their longest sample. */
    static final double AT_LONGEST = 0.5;

    EosPadding {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("the random padding length must be positive, got " + maxLength);
        }
    }

    /**
     * The length (in ids, before image expansion) a micro-batch whose longest sample has {@code longest} ids is padded
     * to; always two draws from {@code rng}, so the noise that follows does not depend on the outcome.
     */
    int length(int longest, SplittableRandom rng) {
        double which = rng.nextDouble();
        double u = rng.nextDouble();
        if (which < AT_LONGEST || longest >= maxLength) {
            return longest;
        }
        double lo = Math.log(longest);
        double hi = Math.log(maxLength + 1.0);
        return Math.min(maxLength, (int) Math.floor(Math.exp(lo + u * (hi - lo))));
    }

    /** How many of a micro-batch's {@code batch} samples are kept when padded from {@code longest} to {@code length}. */
    static int keep(int batch, int longest, int length) {
        return Math.max(1, (int) ((long) batch * longest / length));
    }

    /** {@code ids} and {@code labels} padded with EOS (labelled EOS) to {@code length}; the example names the error. */
    int[][] pad(TrainingExample e, int length) {
        if (e.inputIds().length > maxLength) {
            throw new TrainingDataException("example " + e.id() + " is " + e.inputIds().length
                    + " ids, more than pad_random_to=" + maxLength);
        }
        return withEos(e.inputIds(), e.labels(), length, eos);
    }

    /**
     * {@code ids} and {@code labels} extended to {@code length} (never cut) with EOS, labelled EOS: the one place
     * the SFT padding is written ({@code pad_to} and {@code pad_random_to} both use it).
     */
    static int[][] withEos(int[] ids, int[] labels, int length, int eos) {
        int n = ids.length;
        int[] paddedIds = Arrays.copyOf(ids, Math.max(n, length));
        int[] paddedLabels = Arrays.copyOf(labels, paddedIds.length);
        Arrays.fill(paddedIds, n, paddedIds.length, eos);
        Arrays.fill(paddedLabels, n, paddedLabels.length, eos);
        return new int[][] {paddedIds, paddedLabels};
    }
}
