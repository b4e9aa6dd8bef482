package org.medv.model.sampler;

import org.medv.model.EngineTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.sampler.ScriptedPredictor.MASK;
import static org.medv.model.sampler.ScriptedPredictor.P;
import static org.medv.model.sampler.ScriptedPredictor.PROMPT;
import static org.medv.model.sampler.ScriptedPredictor.VOCAB;
import static org.medv.model.sampler.ScriptedPredictor.peak;
import static org.medv.model.sampler.ScriptedPredictor.two;

/** Classifier-free guidance, Gumbel sampling and random remasking, all seeded. */
class SamplerGuidanceTest extends EngineTest {

    private static GenerationOptions options(int gen, int block, int steps, double temperature, long seed, double cfg,
                                             Remasking remasking) {
        return new GenerationOptions(gen, block, steps, temperature, seed, cfg, remasking, List.of(), List.of());
    }

    /** Conditional: token 1 at 2.0, token 2 at 1.9. Unconditional (prompt masked): token 1 at 2.0, token 2 at 0. */
    private static final ScriptedPredictor.Script GUIDED = (row, ids, pos) ->
            ids[0] == MASK ? two(1, 2f, 2, 0f) : two(1, 2f, 2, 1.9f);

    @Test
    void guidanceRunsAnUnconditionalRowWithTheWholePromptMasked() {
        ScriptedPredictor fake = new ScriptedPredictor(GUIDED);
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, options(2, 2, 2, 0, 0, 1.0, Remasking.LOW_CONFIDENCE), steps);
        // un + (cfg + 1)(cond - un): token 1 stays at 2.0, token 2 becomes 0 + 2 * 1.9 = 3.8
        assertArrayEquals(new int[] {2, 2}, r.outputIds());
        double expected = Math.exp(3.8f) / (Math.exp(3.8f) + Math.exp(2f) + (VOCAB - 2));
        assertEquals(expected, steps.events.get(0).confidences()[0], 1e-6);
        assertEquals(2, fake.forwards.size());
        for (ScriptedPredictor.Forward f : fake.forwards) {
            assertEquals(2, f.batch());
            int[] cond = f.ids()[0];
            int[] uncond = f.ids()[1];
            assertArrayEquals(Arrays.stream(PROMPT).mapToInt(x -> (int) x).toArray(), Arrays.copyOf(cond, P));
            for (int i = 0; i < P; i++) {
                assertEquals(MASK, uncond[i], "unconditional prompt position " + i);
            }
            assertArrayEquals(Arrays.copyOfRange(cond, P, cond.length), Arrays.copyOfRange(uncond, P, uncond.length),
                    "both rows share the generated region");
        }
        // the second forward sees the first commit in both rows
        assertEquals(2, fake.forwards.get(1).ids()[1][P]);
    }

    @Test
    void withoutGuidanceOrWithWeakGuidanceTheConditionalArgmaxWins() {
        ScriptedPredictor none = new ScriptedPredictor(GUIDED);
        GenerationResult r = none.generate(manager, options(2, 2, 2, 0, 0, 0.0, Remasking.LOW_CONFIDENCE),
                StepListener.NONE);
        assertArrayEquals(new int[] {1, 1}, r.outputIds());
        none.forwards.forEach(f -> assertEquals(1, f.batch()));
        // 0 + 1.01 * 1.9 = 1.919 < 2.0
        ScriptedPredictor weak = new ScriptedPredictor(GUIDED);
        GenerationResult w = weak.generate(manager, options(2, 2, 2, 0, 0, 0.01, Remasking.LOW_CONFIDENCE),
                StepListener.NONE);
        assertArrayEquals(new int[] {1, 1}, w.outputIds());
        weak.forwards.forEach(f -> assertEquals(2, f.batch()));
    }

    /** Tokens 0..5 equally likely, every other id impossible. */
    private static float[] uniformOverSix() {
        float[] l = new float[VOCAB];
        Arrays.fill(l, 6, VOCAB, Float.NEGATIVE_INFINITY);
        return l;
    }

    private record Run(int[] ids, int[] order) {
    }

    private static Run run(ScriptedPredictor.Script script, GenerationOptions o) {
        RecordingListener steps = new RecordingListener();
        GenerationResult r = new ScriptedPredictor(script).generate(manager, o, steps);
        return new Run(r.finalIds(), steps.commitOrder());
    }

    @Test
    void samplingIsDeterministicPerSeed() {
        ScriptedPredictor.Script uniform = (row, ids, pos) -> uniformOverSix();
        Run a = run(uniform, options(16, 8, 8, 1.0, 42, 0, Remasking.LOW_CONFIDENCE));
        Run b = run(uniform, options(16, 8, 8, 1.0, 42, 0, Remasking.LOW_CONFIDENCE));
        assertArrayEquals(a.ids(), b.ids());
        assertArrayEquals(a.order(), b.order());
        Set<String> outputs = new HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            int[] ids = run(uniform, options(16, 8, 8, 1.0, seed, 0, Remasking.LOW_CONFIDENCE)).ids();
            Arrays.stream(ids).forEach(t -> assertTrue(t >= 0 && t < 6, "sampled impossible token " + t));
            outputs.add(Arrays.toString(ids));
        }
        assertTrue(outputs.size() > 1, "8 seeds gave one output: " + outputs);
    }

    @Test
    void gumbelSamplingFollowsTheSoftmaxAndReportsTheSampledTokensProbability() {
        // p = 0.6, 0.3, 0.1 for tokens 1, 2, 3 at temperature 1 (three tokens: with two, dividing by the noise and
        // multiplying by it would give the same distribution)
        double[] p = {0, 0.6, 0.3, 0.1};
        ScriptedPredictor.Script sixThreeOne = (row, ids, pos) -> {
            float[] l = new float[VOCAB];
            Arrays.fill(l, Float.NEGATIVE_INFINITY);
            l[1] = (float) Math.log(6);
            l[2] = (float) Math.log(3);
            l[3] = 0f;
            return l;
        };
        int[] counts = new int[4];
        int total = 0;
        for (long seed = 0; seed < 40; seed++) {
            RecordingListener steps = new RecordingListener();
            GenerationResult r = new ScriptedPredictor(sixThreeOne)
                    .generate(manager, options(64, 64, 1, 1.0, seed, 0, Remasking.LOW_CONFIDENCE), steps);
            StepEvent e = steps.events.get(0);
            for (int c = 0; c < e.committed().length; c++) {
                int token = r.finalIds()[e.committed()[c]];
                assertEquals(p[token], e.confidences()[c], 1e-6, "confidence of sampled token " + token);
            }
            for (int t : r.finalIds()) {
                assertTrue(t >= 1 && t <= 3, "token " + t);
                counts[t]++;
                total++;
            }
        }
        // 2560 draws: standard deviations of the shares are 0.010, 0.009 and 0.006
        for (int t = 1; t <= 3; t++) {
            double share = (double) counts[t] / total;
            assertEquals(p[t], share, t == 3 ? 0.025 : 0.035, "share of token " + t);
        }
        // greedy on the same logits always takes token 1
        int[] greedy = new ScriptedPredictor(sixThreeOne)
                .generate(manager, options(8, 8, 1, 0, 0, 0, Remasking.LOW_CONFIDENCE), StepListener.NONE).finalIds();
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, greedy);
    }

    /** Confidence rises with position, so low-confidence remasking commits right to left. */
    private static final ScriptedPredictor.Script BY_POSITION = (row, ids, pos) -> peak((pos - P) % 6, 1f + (pos - P));

    @Test
    void randomRemaskingIsSeededAndIgnoresConfidence() {
        Run lowConfidence = run(BY_POSITION, options(8, 8, 8, 0, 0, 0, Remasking.LOW_CONFIDENCE));
        assertArrayEquals(new int[] {7, 6, 5, 4, 3, 2, 1, 0}, lowConfidence.order());
        Run a = run(BY_POSITION, options(8, 8, 8, 0, 5, 0, Remasking.RANDOM));
        Run b = run(BY_POSITION, options(8, 8, 8, 0, 5, 0, Remasking.RANDOM));
        assertArrayEquals(a.order(), b.order());
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 8; seed++) {
            Run r = run(BY_POSITION, options(8, 8, 8, 0, seed, 0, Remasking.RANDOM));
            // the tokens are still the argmax; only the order of unmasking is random
            assertArrayEquals(lowConfidence.ids(), r.ids());
            orders.add(Arrays.toString(r.order()));
        }
        assertTrue(orders.size() > 1, "8 seeds gave one order: " + orders);
        orders.remove(Arrays.toString(lowConfidence.order()));
        assertNotEquals(0, orders.size());
    }

    @Test
    void randomRemaskingConfidencesAreUniformDraws() {
        RecordingListener steps = new RecordingListener();
        new ScriptedPredictor(BY_POSITION).generate(manager, options(8, 8, 2, 0, 3, 0, Remasking.RANDOM), steps);
        for (StepEvent e : steps.events) {
            for (int c = 0; c < e.confidences().length; c++) {
                double conf = e.confidences()[c];
                assertTrue(conf >= 0 && conf < 1, "confidence " + conf);
                if (c > 0) {
                    assertTrue(e.confidences()[c - 1] >= conf, "descending");
                }
            }
        }
    }
}
