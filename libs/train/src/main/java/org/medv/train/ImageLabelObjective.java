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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * exactly, and is not part of the model. With held-out labels ({@code eval_data}) {@link #evaluate} scores the head
 * on them: the fraction of images whose class of each label is the head's most likely one.
 */
final class ImageLabelObjective implements Objective {
    static final String HEAD_FILE = "vision_head.safetensors";
    static final String HEAD_CLASSES_FILE = "vision_head.json";
    static final String WEIGHT = "vision_head.weight";
    static final String BIAS = "vision_head.bias";
    /** Initial weights: N(0, 0.02^2), as transformers initialises linear layers; biases zero. */
    static final double INIT_STD = 0.02;
    static final int EVAL_BATCH = 32;

    private final TrainableModel model;
    private final ImageLabels labels;
    private final ImageLabels heldOut;
    private final int inputSize;
    /** Where each label's columns start in the head; {@code offsets[k + 1] - offsets[k]} is label k's classes. */
    private final int[] offsets;
    /** The head's output columns: every label's classes. */
    private final int width;
    private final NDManager manager;
    private final NDArray weight;
    private final NDArray bias;

    /** @param heldOut labels to {@link #evaluate} on (same label names), or null */
    ImageLabelObjective(TrainableModel model, ImageLabels labels, ImageLabels heldOut, long seed) {
        if (model.vision() == null) {
            throw new IllegalArgumentException("stage vision trains the vision tower, but model "
                    + model.config().directory() + " is text-only");
        }
        if (heldOut != null && !Set.copyOf(heldOut.names()).equals(Set.copyOf(labels.names()))) {
            throw new TrainingDataException("eval_data names labels " + heldOut.names() + ", data names "
                    + labels.names());
        }
        this.model = model;
        this.labels = labels;
        this.heldOut = heldOut;
        this.offsets = new int[labels.names().size() + 1];
        for (int k = 0; k < labels.names().size(); k++) {
            offsets[k + 1] = offsets[k] + labels.classes().get(k).size();
        }
        this.width = labels.totalClasses();
        this.manager = model.manager().newSubManager();
        try (NDManager probe = manager.newSubManager()) {
            Shape rows = model.imageRows(probe, model.pixels(labels.entries().get(0).image())).getShape();
            this.inputSize = Math.toIntExact(rows.size());
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[] w = new float[inputSize * width];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(rng) * INIT_STD);
        }
        this.weight = manager.create(w, new Shape(inputSize, width));
        this.bias = manager.zeros(new Shape(width));
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
        List<ImageLabels.Entry> images = Arrays.stream(indices).mapToObj(labels.entries()::get).toList();
        return new Batch(logLoss(logProbabilities(m, images), indices), indices.length * labels.names().size(),
                true);
    }

    /** Per-label log-softmax of the head's logits [batch, sum_k C_k] for {@code images}. */
    private NDArray logProbabilities(NDManager m, List<ImageLabels.Entry> images) {
        NDList flat = new NDList(images.size());
        for (ImageLabels.Entry e : images) {
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
        float[] oneHot = new float[indices.length * width];
        for (int b = 0; b < indices.length; b++) {
            int[] y = labels.entries().get(indices[b]).classes();
            for (int k = 0; k < y.length; k++) {
                oneHot[b * width + offsets[k] + y[k]] = 1;
            }
        }
        NDArray target = logProbs.getManager().create(oneHot, logProbs.getShape());
        return Scalars.div(logProbs.mul(target).sum().neg(), indices.length);
    }

    /**
     * Accuracy per label on the held-out labels, in batches of {@value #EVAL_BATCH}; a held-out class the training
     * data never had counts as wrong.
     */
    @Override
    public Map<String, Double> evaluate() {
        if (heldOut == null) {
            return Map.of();
        }
        int[] heldOutLabel = new int[labels.names().size()];
        for (int k = 0; k < heldOutLabel.length; k++) {
            heldOutLabel[k] = heldOut.names().indexOf(labels.names().get(k));
        }
        int[] correct = new int[labels.names().size()];
        List<ImageLabels.Entry> all = heldOut.entries();
        for (int from = 0; from < all.size(); from += EVAL_BATCH) {
            List<ImageLabels.Entry> batch = all.subList(from, Math.min(all.size(), from + EVAL_BATCH));
            float[] lp;
            try (NDManager m = manager.newSubManager()) {
                lp = logProbabilities(m, batch).toFloatArray();
            }
            for (int b = 0; b < batch.size(); b++) {
                for (int k = 0; k < labels.names().size(); k++) {
                    int best = offsets[k];
                    for (int c = offsets[k] + 1; c < offsets[k + 1]; c++) {
                        best = lp[b * width + c] > lp[b * width + best] ? c : best;
                    }
                    int h = heldOutLabel[k];
                    String truth = heldOut.classes().get(h).get(batch.get(b).classes()[h]);
                    correct[k] += labels.classes().get(k).get(best - offsets[k]).equals(truth) ? 1 : 0;
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k = 0; k < correct.length; k++) {
            out.put(labels.names().get(k), (double) correct[k] / all.size());
        }
        return out;
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
                AdamW.restore(ckpt.load(manager, p.getName(), p.getShape().getShape(), null), p);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
