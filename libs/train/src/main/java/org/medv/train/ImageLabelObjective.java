package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.device.Scalars;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The vision stage's objective: a linear head on an image's embedding rows (the projector's output, flattened)
 * classifies each label of {@link ImageLabels} with its own softmax:
 * <pre>
 * z = flatten(rows) W + b                    W [tokens * hidden, sum_k C_k], b [sum_k C_k]
 * loss = (1/B) sum_b sum_k -log softmax(z_b[label k's slice])[y_bk]
 * </pre>
 * Tower and projector learn features the language model can then read; the head is only the probe that trains
 * them. It is kept beside the checkpoint ({@value #HEAD_FILE}, {@value #HEAD_CLASSES_FILE}) so a run resumes
 * exactly, and is not part of the model.
 */
final class ImageLabelObjective implements Objective {
    static final String HEAD_FILE = "vision_head.safetensors";
    static final String HEAD_CLASSES_FILE = "vision_head.json";
    static final String WEIGHT = "vision_head.weight";
    static final String BIAS = "vision_head.bias";
    /** Initial weights: N(0, 0.02^2), as transformers initialises linear layers; biases zero. */
    static final double INIT_STD = 0.02;

    private final TrainableModel model;
    private final ImageLabels labels;
    private final int inputSize;
    private final int[] offsets;
    private final NDManager manager;
    private final NDArray weight;
    private final NDArray bias;

    ImageLabelObjective(TrainableModel model, ImageLabels labels, long seed) {
        if (model.vision() == null) {
            throw new IllegalArgumentException("stage vision trains the vision tower, but model "
                    + model.config().directory() + " is text-only");
        }
        this.model = model;
        this.labels = labels;
        this.offsets = new int[labels.names().size() + 1];
        for (int k = 0; k < labels.names().size(); k++) {
            offsets[k + 1] = offsets[k] + labels.classes().get(k).size();
        }
        this.manager = model.manager().newSubManager();
        try (NDManager probe = manager.newSubManager()) {
            Shape rows = model.imageRows(probe, model.pixels(labels.entries().get(0).image())).getShape();
            this.inputSize = Math.toIntExact(rows.size());
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[] w = new float[inputSize * offsets[offsets.length - 1]];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(rng) * INIT_STD);
        }
        this.weight = manager.create(w, new Shape(inputSize, offsets[offsets.length - 1]));
        this.bias = manager.zeros(new Shape(offsets[offsets.length - 1]));
        weight.setName(WEIGHT);
        bias.setName(BIAS);
    }

    /** Box-Muller on the seeded generator (SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Override
    public int size() {
        return labels.entries().size();
    }

    @Override
    public Batch loss(NDManager m, int[] indices, SplittableRandom rng) {
        return new Batch(logLoss(logProbabilities(m, indices), indices), indices.length * labels.names().size(),
                true);
    }

    /** Per-label log-softmax of the head's logits [batch, sum_k C_k]. */
    NDArray logProbabilities(NDManager m, int[] indices) {
        NDList flat = new NDList(indices.length);
        for (int i : indices) {
            ImageLabels.Entry e = labels.entries().get(i);
            NDArray rows = model.imageRows(m, model.pixels(e.image()));
            if (rows.size() != inputSize) {
                throw new TrainingDataException("image " + e.image() + " gives " + rows.getShape() + " embedding "
                        + "rows, the first image " + inputSize + " values: stage vision needs images encoded to a "
                        + "fixed number of rows");
            }
            flat.add(rows.reshape(1, inputSize));
        }
        NDArray logits = NDArrays.concat(flat, 0).matMul(weight).add(bias);
        NDList perLabel = new NDList(offsets.length - 1);
        for (int k = 0; k + 1 < offsets.length; k++) {
            perLabel.add(logits.get(":, " + offsets[k] + ":" + offsets[k + 1]).logSoftmax(1));
        }
        return NDArrays.concat(perLabel, 1);
    }

    /** Mean over the batch of the summed negative log-likelihood of each label's class. */
    private NDArray logLoss(NDArray logProbs, int[] indices) {
        float[] oneHot = new float[indices.length * offsets[offsets.length - 1]];
        for (int b = 0; b < indices.length; b++) {
            int[] y = labels.entries().get(indices[b]).classes();
            for (int k = 0; k < y.length; k++) {
                oneHot[b * offsets[offsets.length - 1] + offsets[k] + y[k]] = 1;
            }
        }
        NDArray target = logProbs.getManager().create(oneHot, logProbs.getShape());
        return Scalars.div(logProbs.mul(target).sum().neg(), indices.length);
    }

    @Override
    public NDList ownParameters() {
        return new NDList(weight, bias);
    }

    @Override
    public void save(Path dir) {
        SafetensorsWriter w = new SafetensorsWriter();
        AdamW.add(w, WEIGHT, weight);
        AdamW.add(w, BIAS, bias);
        w.write(dir.resolve(HEAD_FILE));
        try {
            Files.writeString(dir.resolve(HEAD_CLASSES_FILE),
                    new GsonBuilder().setPrettyPrinting().create().toJson(classesJson()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(HEAD_CLASSES_FILE), e);
        }
    }

    /** The head's input size and each label's classes in column order. */
    private JsonObject classesJson() {
        JsonObject o = new JsonObject();
        o.addProperty("input_size", inputSize);
        JsonObject l = new JsonObject();
        for (int k = 0; k < labels.names().size(); k++) {
            JsonArray c = new JsonArray();
            labels.classes().get(k).forEach(c::add);
            l.add(labels.names().get(k), c);
        }
        o.add("labels", l);
        return o;
    }

    @Override
    public void load(Path dir) {
        Path classes = dir.resolve(HEAD_CLASSES_FILE);
        try {
            if (!JsonParser.parseString(Files.readString(classes)).equals(classesJson())) {
                throw new IllegalArgumentException("cannot resume from " + dir + ": its vision head was trained on "
                        + "other labels or classes (" + classes + ") than the config's data");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": cannot read " + classes, e);
        }
        try (Checkpoint ckpt = Checkpoint.open(dir.resolve(HEAD_FILE))) {
            for (NDArray p : List.of(weight, bias)) {
                try (NDArray loaded = ckpt.load(manager, p.getName(), p.getShape().getShape(), null)) {
                    loaded.copyTo(p);
                }
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
