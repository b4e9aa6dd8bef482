package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a stage minimises over its examples: the {@link Trainer} draws example indices in its seeded order and asks
 * for their loss. {@link DiffusionObjective} for the conversation stages, {@link ImageLabelObjective} for the vision
 * stage.
 */
interface Objective extends AutoCloseable {
    /**
     * A batch's loss (a differentiable scalar), the number of targets it averages (masked tokens, image labels) and
     * whether it reaches a trained parameter at all (a stage-1 batch without a masked image sample does not).
     */
    record Batch(NDArray loss, int targets, boolean hasGradient) {
    }

    /** The number of examples; indices run from 0 to size - 1. */
    int size();

    /** The loss of the examples {@code indices} in {@code m}'s scope; {@code rng} is this micro-batch's noise. */
    Batch loss(NDManager m, int[] indices, SplittableRandom rng);

    /** Scores on the held-out data, by name (empty when the objective has none, e.g. {@code eval_data} unset). */
    default Map<String, Double> evaluate() {
        return Map.of();
    }

    /** Parameters the objective trains besides the model's (they are not part of the model a checkpoint holds). */
    NDList ownParameters();

    /** Writes {@link #ownParameters()} into a checkpoint directory (nothing when there are none). */
    void save(Path dir);

    /** Restores what {@link #save} wrote. */
    void load(Path dir);

    @Override
    void close();
}
