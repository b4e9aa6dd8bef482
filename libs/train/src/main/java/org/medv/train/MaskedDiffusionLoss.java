package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.medv.model.text.ImagePlaceholder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LLaDA's masked-diffusion objective (LLaDA Eq. 3 / LLaDA-V Eq. 4) exactly as {@code modeling_llada.py:
 * LLaDAModelLM.forward} computes it (notes §5):
 * <pre>
 * t ~ U(0,1) per sample;  p_mask = (1 - eps) t + eps,  eps = 1e-3         (forward_process_embeds)
 * masked = rand &lt; p_mask  and  label != -100;  masked inputs get the mask token's embedding
 * loss = (1/B) sum_b (1/n_b) sum_{i masked in b} CE(logits_i, label_i) / p_mask_b,   n_b = #(label != -100)
 * </pre>
 * The uniforms cover the sequence after the image is spliced in (image rows are never labelled, so never masked).
 * Logits are computed only at masked positions: the hidden rows are selected before the LM head.
 *
 * <p>With {@link BlockNoise} on (off by default, and off in every golden comparison), a share of the samples is
 * noised the way semi-autoregressive decoding sees an answer instead: the labelled positions are cut into blocks of
 * the decoding block length, one block {@code k} is drawn, the blocks before it are clean, block {@code k} is masked
 * at {@code p_mask} as above and every later position is masked (weight 1 instead of {@code 1/p_mask}). Uniform
 * noise never shows the model a half-decoded first block followed by hundreds of masked positions, yet that is the
 * state of every {@code block_length < gen_length} request (256/32/256), where the model otherwise drifts.
 */
public final class MaskedDiffusionLoss {
    public static final double EPS = 1e-3;

    /**
     * One sample's noise: {@code t}, one uniform per (expanded) position, and for block noise a draw in [0, 1) that
     * picks the block ({@code NaN}: uniform noise).
     */
    public record Noise(double t, double[] uniforms, double block) {
        public Noise(double t, double[] uniforms) {
            this(t, uniforms, Double.NaN);
        }

        public double pMask() {
            return (1 - EPS) * t + EPS;
        }
    }

    /**
     * Semi-autoregressive noise for a share of the samples.
     *
     * @param probability share of the samples noised block-wise (0: off, upstream's objective exactly)
     * @param blockLength the decoding block length it prepares for
     */
    public record BlockNoise(double probability, int blockLength) {
        public static final BlockNoise OFF = new BlockNoise(0, 32);

        public BlockNoise {
            if (!(probability >= 0 && probability <= 1) || blockLength <= 0) {
                throw new IllegalArgumentException("block_noise=" + probability + " must be in [0, 1] and "
                        + "block_noise_length=" + blockLength + " positive");
            }
        }

        public boolean on() {
            return probability > 0;
        }
    }

    /**
     * One sample: ids with {@code -200} placeholders, labels aligned with the ids, the images' rows [n, hidden]
     * (one per placeholder, in order), and how many of the last labelled positions are EOS padding.
     */
    public record Sample(int[] ids, int[] labels, List<NDArray> images, int padding) {
        public Sample(int[] ids, int[] labels, List<NDArray> images) {
            this(ids, labels, images, 0);
        }
    }

    /**
     * The batch loss (a scalar, differentiable) and what it was computed over; {@code dependsOnImages} says whether
     * it depends on image rows (some forward holding an image has a masked position), i.e. on the vision side.
     */
    public record Result(NDArray loss, int maskedTokens, int labelledTokens, boolean dependsOnImages) {
    }

    /** A sample after image expansion and masking: the ids to embed and the masked positions with their labels. */
    private record Noised(int[] noisyIds, List<NDArray> images, int length, int[] maskedPositions, int[] targets,
                          double[] weights) {
    }

    private final TrainableModel model;
    private final int maskId;
    private final BlockNoise blockNoise;
    private final double padWeight;

    public MaskedDiffusionLoss(TrainableModel model) {
        this(model, BlockNoise.OFF, 1);
    }

    /**
     * @param padWeight what one EOS padding position counts for against an answer position, in the loss and in the
     *                  per-sample normaliser {@code n_b}: 1 is upstream (a long tail of padding dilutes the answer's
     *                  own tokens by its length); below 1 the tail is still learnt but an answer keeps its weight
     *                  whatever length the batch was padded to
     */
    public MaskedDiffusionLoss(TrainableModel model, BlockNoise blockNoise, double padWeight) {
        if (!(padWeight > 0 && padWeight <= 1)) {
            throw new IllegalArgumentException("pad_weight=" + padWeight + " must be in (0, 1]");
        }
        this.model = model;
        this.maskId = model.config().tokens().mask();
        this.blockNoise = blockNoise;
        this.padWeight = padWeight;
    }

    /**
     * Draws the noise for a batch: every t first, then each sample's uniforms ({@code torch.rand(b)}, {@code (b, l)}),
     * then, with block noise on, two draws per sample (whether it is block-noised, and its block).
     */
    public static List<Noise> draw(SplittableRandom rng, int[] lengths, BlockNoise blockNoise) {
        List<Noise> uniform = draw(rng, lengths);
        if (!blockNoise.on()) {
            return uniform;
        }
        List<Noise> out = new ArrayList<>(uniform.size());
        for (Noise n : uniform) {
            double pick = rng.nextDouble();
            double block = rng.nextDouble();
            out.add(pick < blockNoise.probability() ? new Noise(n.t(), n.uniforms(), block) : n);
        }
        return out;
    }

    /** Draws the noise for a batch: every t first, then each sample's uniforms ({@code torch.rand(b)}, {@code (b, l)}). */
    public static List<Noise> draw(SplittableRandom rng, int[] lengths) {
        double[] ts = new double[lengths.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = rng.nextDouble();
        }
        List<Noise> out = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            double[] u = new double[lengths[i]];
            for (int j = 0; j < u.length; j++) {
                u[j] = rng.nextDouble();
            }
            out.add(new Noise(ts[i], u));
        }
        return out;
    }

    /** Length of a sample once each placeholder is replaced by its image rows. */
    public static int expandedLength(Sample s) {
        int n = s.ids().length;
        for (NDArray img : s.images()) {
            n += Math.toIntExact(img.getShape().get(0)) - 1;
        }
        return n;
    }

    /** The loss with noise drawn from {@code rng}. */
    public Result compute(NDManager m, List<Sample> batch, SplittableRandom rng) {
        return compute(m, batch, draw(rng, batch.stream().mapToInt(MaskedDiffusionLoss::expandedLength).toArray(),
                blockNoise));
    }

    /** The loss with the given noise (one per sample, uniforms over the expanded length). */
    public Result compute(NDManager m, List<Sample> batch, List<Noise> noise) {
        if (batch.isEmpty() || batch.size() != noise.size()) {
            throw new IllegalArgumentException(batch.size() + " samples but " + noise.size() + " noise draws");
        }
        List<Noised> noised = new ArrayList<>(batch.size());
        int masked = 0;
        int labelled = 0;
        for (int b = 0; b < batch.size(); b++) {
            Noised n = noise(batch.get(b), noise.get(b), batch.size());
            noised.add(n);
            masked += n.maskedPositions().length;
            labelled += Arrays.stream(batch.get(b).labels()).filter(l -> l != TrainingExample.IGNORE_INDEX).count();
        }
        if (masked == 0) {
            // nothing masked: upstream's sum over an empty selection, zero with zero gradients
            return new Result(m.zeros(new ai.djl.ndarray.types.Shape()), 0, labelled, false);
        }
        // hidden rows at the masked positions [masked, hidden], one forward per run of equal lengths
        NDList rows = new NDList();
        List<Integer> targets = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        boolean sameLength = noised.stream().mapToInt(Noised::length).distinct().count() == 1;
        List<List<Noised>> groups = sameLength ? List.of(noised) : noised.stream().map(List::of).toList();
        boolean dependsOnImages = false;
        for (List<Noised> group : groups) {
            boolean hasImage = group.stream().anyMatch(n -> !n.images().isEmpty());
            boolean hasMasked = group.stream().anyMatch(n -> n.maskedPositions().length > 0);
            dependsOnImages |= hasImage && hasMasked;
            if (!hasMasked) {
                continue; // its forward would contribute no rows
            }
            rows.add(maskedHidden(m, group));
            for (Noised n : group) {
                for (int j = 0; j < n.targets().length; j++) {
                    targets.add(n.targets()[j]);
                    weights.add((float) n.weights()[j]);
                }
            }
        }
        NDArray hidden = rows.size() == 1 ? rows.head() : NDArrays.concat(rows, 0);
        // logits only where masked [masked, vocab] float32, cross-entropy through log-softmax
        NDArray logp = model.llm().logits(hidden.expandDims(0)).squeeze(0).logSoftmax(-1);
        NDArray idx = m.create(targets.stream().mapToLong(Integer::longValue).toArray()).reshape(-1, 1);
        NDArray tokenLoss = logp.gather(idx, 1).reshape(-1).neg();
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        NDArray loss = tokenLoss.mul(m.create(w)).sum();
        return new Result(loss, masked, labelled, dependsOnImages);
    }

    /** Forward of samples of equal expanded length as one batch; returns the masked rows [masked, hidden]. */
    private NDArray maskedHidden(NDManager m, List<Noised> group) {
        NDList embeds = new NDList();
        List<Long> flat = new ArrayList<>();
        for (int b = 0; b < group.size(); b++) {
            Noised n = group.get(b);
            embeds.add(model.splice(m, n.noisyIds(), n.images()));
            for (int p : n.maskedPositions()) {
                flat.add((long) b * n.length() + p);
            }
        }
        NDArray x = NDArrays.stack(embeds, 0); // [b, L, hidden]
        NDArray h = model.llm().forward(x);
        long hiddenSize = h.getShape().get(2);
        NDArray all = h.reshape(-1, hiddenSize);
        return all.get(new NDIndex("{}", m.create(flat.stream().mapToLong(Long::longValue).toArray())));
    }

    /** Applies the forward process to one sample: which positions are masked and what they must predict. */
    private Noised noise(Sample s, Noise noise, int batchSize) {
        long placeholders = Arrays.stream(s.ids()).filter(id -> id == ImagePlaceholder.IMAGE_TOKEN_INDEX).count();
        if (placeholders != s.images().size()) {
            throw new IllegalArgumentException("a sample has " + placeholders + " image placeholders but "
                    + s.images().size() + " images");
        }
        int length = expandedLength(s);
        if (noise.uniforms().length != length) {
            throw new IllegalArgumentException("noise has " + noise.uniforms().length + " uniforms for a sample of "
                    + length + " positions");
        }
        double pMask = noise.pMask();
        int labelled = 0;
        for (int label : s.labels()) {
            labelled += label != TrainingExample.IGNORE_INDEX ? 1 : 0;
        }
        // block noise: labelled positions [0, cleanBefore) stay clean, [cleanBefore, maskedFrom) are masked at
        // p_mask, [maskedFrom, labelled) are all masked
        int cleanBefore = 0;
        int maskedFrom = Integer.MAX_VALUE;
        if (!Double.isNaN(noise.block()) && labelled > 0) {
            int len = blockNoise.blockLength();
            int blocks = (labelled + len - 1) / len;
            int k = Math.min(blocks - 1, (int) (noise.block() * blocks));
            cleanBefore = k * len;
            maskedFrom = cleanBefore + len;
        }
        // each token's CE / p_mask (1 where masked for sure) / n_b, and / B for the batch mean; n_b counts a padding
        // position as pad_weight (1: upstream's n_b, the number of labelled positions)
        int answer = labelled - Math.min(labelled, s.padding());
        double counted = answer + padWeight * (labelled - answer);
        double weight = labelled == 0 ? 0 : 1.0 / (pMask * counted * batchSize);
        double sureWeight = labelled == 0 ? 0 : 1.0 / (counted * batchSize);
        int[] noisy = s.ids().clone();
        List<Integer> positions = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        int seen = 0; // labelled positions passed
        int image = 0;
        int pos = 0; // position in the expanded sequence
        for (int i = 0; i < s.ids().length; i++) {
            if (s.ids()[i] == ImagePlaceholder.IMAGE_TOKEN_INDEX) {
                pos += Math.toIntExact(s.images().get(image++).getShape().get(0)); // image rows: label -100
                continue;
            }
            int label = s.labels()[i];
            if (label != TrainingExample.IGNORE_INDEX) {
                int r = seen++;
                boolean sure = r >= maskedFrom;
                if (sure || r >= cleanBefore && noise.uniforms()[pos] < pMask) {
                    noisy[i] = maskId;
                    positions.add(pos);
                    targets.add(label);
                    double w = sure ? sureWeight : weight;
                    weights.add(r >= answer ? w * padWeight : w);
                }
            }
            pos++;
        }
        return new Noised(noisy, s.images(), length,
                positions.stream().mapToInt(Integer::intValue).toArray(),
                targets.stream().mapToInt(Integer::intValue).toArray(),
                weights.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
