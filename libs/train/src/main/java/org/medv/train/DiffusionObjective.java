package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** The masked-diffusion loss over encoded conversations: stages 1 to 3. */
final class DiffusionObjective implements Objective {
    private final TrainableModel model;
    private final List<TrainingExample> examples;
    private final MaskedDiffusionLoss loss;
    private final boolean trainsLanguage;
    private final EosPadding padding;

    /**
     * @param trainsLanguage whether the language model trains (else only image samples carry a gradient)
     * @param padding        random EOS padding per micro-batch, or null for the examples as encoded
     * @param blockNoise     the share of samples noised block-wise (MaskedDiffusionLoss.BlockNoise.OFF: none)
     * @param padWeight      what an EOS padding position counts for in the loss (1: upstream)
     */
    DiffusionObjective(TrainableModel model, List<TrainingExample> examples, boolean trainsLanguage,
                       EosPadding padding, MaskedDiffusionLoss.BlockNoise blockNoise, double padWeight) {
        if (examples.isEmpty()) {
            throw new TrainingDataException("no training examples");
        }
        this.model = model;
        this.examples = List.copyOf(examples);
        this.loss = new MaskedDiffusionLoss(model, blockNoise, padWeight);
        this.trainsLanguage = trainsLanguage;
        this.padding = padding;
    }

    @Override
    public int size() {
        return examples.size();
    }

    @Override
    public Batch loss(NDManager m, int[] indices, SplittableRandom rng) {
        List<MaskedDiffusionLoss.Sample> batch = new ArrayList<>(indices.length);
        int length = 0;
        int[] kept = indices;
        if (padding != null) {
            int longest = 0;
            for (int i : indices) {
                longest = Math.max(longest, examples.get(i).inputIds().length);
            }
            length = padding.length(longest, rng); // drawn before the noise, from the micro-batch's own stream
            kept = Arrays.copyOf(indices, EosPadding.keep(indices.length, longest, length));
        }
        for (int i : kept) {
            TrainingExample e = examples.get(i);
            List<NDArray> images = e.image() == null ? List.of()
                    : List.of(model.imageRows(m, model.pixels(e.image())));
            if (padding == null) {
                batch.add(new MaskedDiffusionLoss.Sample(e.inputIds(), e.labels(), images));
            } else {
                int[][] padded = padding.pad(e, length);
                batch.add(new MaskedDiffusionLoss.Sample(padded[0], padded[1], images,
                        padded[0].length - e.inputIds().length));
            }
        }
        MaskedDiffusionLoss.Result r = loss.compute(m, batch, rng);
        // nothing masked, or no trained parameter reached (stage 1 on a text-only batch): no gradient
        boolean reaches = r.maskedTokens() > 0 && (trainsLanguage || r.dependsOnImages());
        return new Batch(r.loss(), r.maskedTokens(), reaches);
    }

    @Override
    public NDList ownParameters() {
        return new NDList();
    }

    @Override
    public void save(Path dir) {
        // the model is all there is
    }

    @Override
    public void load(Path dir) {
        // the model is all there is
    }

    @Override
    public void close() {
        // examples only
    }
}
