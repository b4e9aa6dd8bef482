package org.medv.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss against its definition computed by hand, and its gradients against finite differences. */
class MaskedDiffusionLossTest {
    @TempDir
    static Path dir;
    static TrainableModel model;

    @BeforeAll
    static void load() throws Exception {
        model = TrainableModel.load(TinySetup.write(dir), null, List.of());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void equalsTheDefinitionComputedByHand() {
        int mask = model.config().tokens().mask();
        // two text samples, equal length; -100 marks prompt positions
        int[] ids0 = {5, 6, 7, 8, 9, 10};
        int[] lab0 = {-100, -100, 7, 8, 9, 10};
        int[] ids1 = {11, 12, 13, 14, 15, 16};
        int[] lab1 = {-100, 12, -100, 14, 15, -100};
        // t and uniforms fixed: sample 0 masks positions 2 and 4 (position 0 has u < p_mask but no label)
        var n0 = new MaskedDiffusionLoss.Noise(0.5, new double[] {0.1, 0.9, 0.2, 0.7, 0.3, 0.99});
        var n1 = new MaskedDiffusionLoss.Noise(0.25, new double[] {0.0, 0.1, 0.1, 0.9, 0.2, 0.1});
        try (NDManager m = model.manager().newSubManager()) {
            var batch = List.of(new MaskedDiffusionLoss.Sample(ids0, lab0, List.of()),
                    new MaskedDiffusionLoss.Sample(ids1, lab1, List.of()));
            var r = new MaskedDiffusionLoss(model).compute(m, batch, List.of(n0, n1));
            assertEquals(4, r.maskedTokens());
            assertEquals(7, r.labelledTokens());
            // by hand: full-sequence logits of the noised inputs, CE at the masked positions
            double p0 = (1 - 1e-3) * 0.5 + 1e-3;
            double p1 = (1 - 1e-3) * 0.25 + 1e-3;
            int[] noisy0 = {5, 6, mask, 8, mask, 10};
            int[] noisy1 = {11, mask, 13, 14, mask, 16};
            // sample 1: u < p_mask = 0.25075 at 0, 1, 2, 4, 5; of those only 1 and 4 are labelled
            double ce0 = ce(m, noisy0, new int[] {2, 4}, lab0) / p0 / 4;
            double ce1 = ce(m, noisy1, new int[] {1, 4}, lab1) / p1 / 3;
            double expected = (ce0 + ce1) / 2;
            assertEquals(expected, r.loss().getFloat(), 1e-5 * Math.abs(expected));
        }
    }

    @Test
    void blockNoiseKeepsEarlierBlocksCleanAndMasksEverythingAfterTheDrawnBlock() {
        int mask = model.config().tokens().mask();
        // 8 labelled positions (2..9) in blocks of 3: [2,3,4] [5,6,7] [8,9]; the draw 0.5 picks block 1 of 3
        int[] ids = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        int[] lab = {-100, -100, 7, 8, 9, 10, 11, 12, 13, 14};
        // u < p_mask (0.5005) at 0, 2, 3, 5 and 7 only: block 0 (2, 3) stays clean whatever u says, in block 1
        // positions 5 and 7 are masked (weight 1/p_mask) and 6 is not, and 8 and 9 are masked for sure (weight 1)
        double[] u = {0.1, 0.9, 0.1, 0.2, 0.9, 0.3, 0.8, 0.4, 0.9, 0.95};
        var noise = new MaskedDiffusionLoss.Noise(0.5, u, 0.5);
        try (NDManager m = model.manager().newSubManager()) {
            var r = new MaskedDiffusionLoss(model, new MaskedDiffusionLoss.BlockNoise(1, 3), 1)
                    .compute(m, List.of(new MaskedDiffusionLoss.Sample(ids, lab, List.of())), List.of(noise));
            assertEquals(4, r.maskedTokens());
            assertEquals(8, r.labelledTokens());
            double p = (1 - 1e-3) * 0.5 + 1e-3;
            int[] noisy = {5, 6, 7, 8, 9, mask, 11, mask, mask, mask};
            double expected = (ce(m, noisy, new int[] {5, 7}, lab) / p + ce(m, noisy, new int[] {8, 9}, lab)) / 8;
            assertEquals(expected, r.loss().getFloat(), 1e-5 * Math.abs(expected));
            // the same noise without block noise is upstream's objective: 2, 3, 5 and 7 masked, all at 1/p_mask
            var plain = new MaskedDiffusionLoss(model)
                    .compute(m, List.of(new MaskedDiffusionLoss.Sample(ids, lab, List.of())), List.of(noise));
            int[] noisyPlain = {5, 6, mask, mask, 9, mask, 11, mask, 13, 14};
            double expectedPlain = ce(m, noisyPlain, new int[] {2, 3, 5, 7}, lab) / p / 8;
            assertEquals(expectedPlain, plain.loss().getFloat(), 1e-5 * Math.abs(expectedPlain));
        }
    }

    @Test
    void aPadWeightBelowOneKeepsTheTailFromDilutingTheAnswer() {
        int mask = model.config().tokens().mask();
        int[] ids = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        int[] lab = {-100, -100, 7, 8, 9, 10, 11, 12, 13, 14};
        double[] u = {0.1, 0.9, 0.1, 0.2, 0.9, 0.3, 0.8, 0.4, 0.9, 0.95};
        var noise = new MaskedDiffusionLoss.Noise(0.5, u);
        // the last 3 labelled positions (7, 8, 9) are padding: 2, 3 and 5 (answer) and 7 (padding) are masked
        try (NDManager m = model.manager().newSubManager()) {
            var r = new MaskedDiffusionLoss(model, MaskedDiffusionLoss.BlockNoise.OFF, 0.25)
                    .compute(m, List.of(new MaskedDiffusionLoss.Sample(ids, lab, List.of(), 3)), List.of(noise));
            assertEquals(4, r.maskedTokens());
            double p = (1 - 1e-3) * 0.5 + 1e-3;
            int[] noisy = {5, 6, mask, mask, 9, mask, 11, mask, 13, 14};
            double counted = 5 + 0.25 * 3;
            double expected = (ce(m, noisy, new int[] {2, 3, 5}, lab) + 0.25 * ce(m, noisy, new int[] {7}, lab))
                    / p / counted;
            assertEquals(expected, r.loss().getFloat(), 1e-5 * Math.abs(expected));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new MaskedDiffusionLoss(model, MaskedDiffusionLoss.BlockNoise.OFF, 0));
    }

    @Test
    void blockNoiseDrawsOnlyWhenOnSoUpstreamNoiseIsUnchanged() {
        int[] lengths = {5, 7};
        var off = MaskedDiffusionLoss.draw(new SplittableRandom(3), lengths, MaskedDiffusionLoss.BlockNoise.OFF);
        var plain = MaskedDiffusionLoss.draw(new SplittableRandom(3), lengths);
        for (int i = 0; i < lengths.length; i++) {
            assertEquals(plain.get(i).t(), off.get(i).t());
            assertTrue(java.util.Arrays.equals(plain.get(i).uniforms(), off.get(i).uniforms()));
            assertTrue(Double.isNaN(off.get(i).block()));
        }
        var all = MaskedDiffusionLoss.draw(new SplittableRandom(3), lengths, new MaskedDiffusionLoss.BlockNoise(1, 32));
        assertTrue(all.stream().allMatch(n -> n.block() >= 0 && n.block() < 1));
        assertEquals(plain.get(1).t(), all.get(1).t());
    }

    /** Sum of -log softmax(logits)[label] at {@code positions}, from a separate full forward, in double. */
    private static double ce(NDManager m, int[] noisyIds, int[] positions, int[] labels) {
        long[] ids = java.util.Arrays.stream(noisyIds).asLongStream().toArray();
        NDArray logits = model.llm().logits(model.llm().forward(model.llm().embed(m, ids).expandDims(0))).squeeze(0);
        double sum = 0;
        for (int p : positions) {
            float[] row = logits.get(p).toFloatArray();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : row) {
                max = Math.max(max, v);
            }
            double z = 0;
            for (float v : row) {
                z += Math.exp(v - max);
            }
            sum += -(row[labels[p]] - max - Math.log(z));
        }
        return sum;
    }

    @Test
    void gradientsMatchFiniteDifferences() throws Exception {
        TinyExamples ex = TinyExamples.of(model, dir);
        MaskedDiffusionLoss loss = new MaskedDiffusionLoss(model);
        NDArray q = model.llm().weights().layers().get(0).q();
        NDArray proj = model.vision().projector().w0();
        NDArray head = model.llm().weights().lmHead();
        int maskId = model.config().tokens().mask();
        long[][] at = {{1, 2}, {3, 5}, {maskId - 1, 4}};
        NDArray[] params = {q, proj, head};
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
        float[] analytic = new float[params.length];
        try (NDManager m = model.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            var r = loss.compute(m, ex.samples(m), new SplittableRandom(11));
            assertTrue(r.maskedTokens() > 0);
            gc.backward(r.loss());
            for (int i = 0; i < params.length; i++) {
                try (NDArray g = params[i].getGradient()) {
                    analytic[i] = g.get(at[i][0], at[i][1]).getFloat();
                }
            }
        }
        for (int i = 0; i < params.length; i++) {
            NDArray p = params[i];
            NDIndex idx = new NDIndex(at[i][0], at[i][1]);
            float base = p.get(idx).getFloat();
            float eps = 1e-2f;
            p.set(idx, base + eps);
            double up = value(loss, ex);
            p.set(idx, base - eps);
            double down = value(loss, ex);
            p.set(idx, base);
            double numeric = (up - down) / (2 * eps);
            assertNotEquals(0f, analytic[i], "parameter " + i);
            assertEquals(numeric, analytic[i], 2e-2 * Math.abs(numeric) + 1e-3, "parameter " + i);
        }
        for (NDArray p : params) {
            p.setRequiresGradient(false);
        }
    }

    /**
     * Regression: the token ids of an embedding lookup must outlive the lookup, because autograd reads them in the
     * backward pass; they were closed right away, so a GC between forward and backward let the backward read freed
     * memory ("index 139840606980128 is out of bounds for dimension 0 with size 409" in a real training run).
     */
    @Test
    void embeddingGradientSurvivesAGarbageCollectionBeforeBackward() throws Exception {
        NDArray table = model.llm().weights().embedTokens();
        long[] ids = {3, 7, 7, 11, 19};
        table.setRequiresGradient(true);
        try (NDManager m = model.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = model.llm().embed(m, ids).sum();
            for (int round = 0; round < 5; round++) {
                System.gc();
                Thread.sleep(20);
                // reuse the freed native memory with values that are no valid token id
                for (int i = 0; i < 64; i++) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(ids.length * Long.BYTES);
                    while (b.hasRemaining()) {
                        b.put((byte) 0x7F);
                    }
                }
            }
            gc.backward(loss);
            float[] rowSums = table.getGradient().sum(new int[] {1}).toFloatArray();
            long hidden = table.getShape().get(1);
            for (int row = 0; row < rowSums.length; row++) {
                final long token = row;
                long uses = java.util.Arrays.stream(ids).filter(id -> id == token).count();
                assertEquals(uses * hidden, rowSums[row], 1e-3, "gradient row " + row);
            }
        } finally {
            table.setRequiresGradient(false);
        }
    }

    private static double value(MaskedDiffusionLoss loss, TinyExamples ex) {
        try (NDManager m = model.manager().newSubManager()) {
            return loss.compute(m, ex.samples(m), new SplittableRandom(11)).loss().getFloat();
        }
    }

    /** The tiny data set's first two examples (one with an image, one without), images encoded per call. */
    record TinyExamples(List<TrainingExample> examples) {
        static TinyExamples of(TrainableModel model, Path dir) {
            var enc = new ConversationEncoder(model.tokenizer(), model.config().tokens(), null, 0);
            var all = enc.encodeAll(dir.resolve("data.json"), LlavaInstruction.read(dir.resolve("data.json")),
                    dir.resolve("images"));
            return new TinyExamples(List.of(all.get(0), all.get(3)));
        }

        List<MaskedDiffusionLoss.Sample> samples(NDManager m) {
            return examples.stream().map(e -> new MaskedDiffusionLoss.Sample(e.inputIds(), e.labels(),
                    e.image() == null ? List.of() : List.of(model.imageRows(m, model.pixels(e.image()))))).toList();
        }
    }
}
