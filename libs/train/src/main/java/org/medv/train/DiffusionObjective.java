package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The masked-diffusion loss over encoded conversations: stages 1 to 3. */
final class DiffusionObjective implements Objective {
    private final TrainableModel model;
    private final List<TrainingExample> examples;
    private final MaskedDiffusionLoss loss;
    private final boolean trainsLanguage;

    /** @param trainsLanguage whether the language model trains (else only image samples carry a gradient) */
    DiffusionObjective(TrainableModel model, List<TrainingExample> examples, boolean trainsLanguage) {
        if (examples.isEmpty()) {
            throw new TrainingDataException("no training examples");
        }
        this.model = model;
        this.examples = List.copyOf(examples);
        this.loss = new MaskedDiffusionLoss(model);
        this.trainsLanguage = trainsLanguage;
    }

    @Override
    public int size() {
        return examples.size();
    }

    @Override
    public Batch loss(NDManager m, int[] indices, SplittableRandom rng) {
        List<MaskedDiffusionLoss.Sample> batch = new ArrayList<>(indices.length);
        for (int i : indices) {
            TrainingExample e = examples.get(i);
            List<NDArray> images = e.image() == null ? List.of()
                    : List.of(model.imageRows(m, model.pixels(e.image())));
            batch.add(new MaskedDiffusionLoss.Sample(e.inputIds(), e.labels(), images));
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
