package org.medv.model.sampler;

import org.medv.model.EngineTest;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.sampler.ScriptedPredictor.MASK;
import static org.medv.model.sampler.ScriptedPredictor.P;
import static org.medv.model.sampler.ScriptedPredictor.PROMPT;
import static org.medv.model.sampler.ScriptedPredictor.peak;
import static org.medv.model.sampler.ScriptedPredictor.peakProbability;
import static org.medv.model.sampler.ScriptedPredictor.plain;
import static org.medv.model.sampler.ScriptedPredictor.two;

/** The reverse process against scripted logits: schedule, block restriction, confidence order, forbidden ids. */
class DiffusionSamplerTest extends EngineTest {

    /** Position r predicts token r % 6 (never a special id) with confidence rising with r. */
    private static final ScriptedPredictor.Script BY_POSITION = (row, ids, pos) -> peak((pos - P) % 6, 1f + (pos - P));

    @Test
    void eachStepCommitsWhatTheScheduleSays() {
        ScriptedPredictor fake = new ScriptedPredictor(BY_POSITION);
        RecordingListener steps = new RecordingListener();
        // 2 blocks of 4, 3 steps each: 4 masks over 3 steps = [2, 1, 1]
        GenerationResult r = fake.generate(manager, plain(8, 4, 6), steps);
        assertArrayEquals(new int[] {2, 1, 1, 2, 1, 1}, steps.committedCounts());
        assertEquals(6, r.stepsRun());
        assertEquals(6, fake.forwards.size());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(-1, r.stopPosition());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 0, 1}, r.outputIds());
        assertArrayEquals(r.finalIds(), r.outputIds());
        for (int i = 0; i < steps.events.size(); i++) {
            StepEvent e = steps.events.get(i);
            assertEquals(i, e.step());
            assertEquals(6, e.totalSteps());
            assertEquals(i / 3, e.block());
            assertEquals(i % 3, e.stepInBlock());
            assertEquals(-1, e.stopPosition());
        }
    }

    @Test
    void aBlockWithFewerMasksThanStepsEndsWhenFull() {
        ScriptedPredictor fake = new ScriptedPredictor(BY_POSITION);
        RecordingListener steps = new RecordingListener();
        // 3 masks over 5 steps = [1, 1, 1, 0, 0]: the block is full after 3 forwards
        GenerationResult r = fake.generate(manager, plain(3, 3, 5), steps);
        assertArrayEquals(new int[] {1, 1, 1}, steps.committedCounts());
        assertEquals(3, r.stepsRun());
        assertEquals(3, fake.forwards.size());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void positionsOutsideTheCurrentBlockAreNeverCommitted() {
        // the second block is far more confident than the first, yet waits for its turn
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(2, pos - P >= 4 ? 10f : 1f));
        RecordingListener steps = new RecordingListener();
        fake.generate(manager, plain(8, 4, 4), steps);
        for (StepEvent e : steps.events) {
            int start = e.block() * 4;
            for (int c : e.committed()) {
                assertTrue(c >= start && c < start + 4, "step " + e.step() + " committed " + c + " outside its block");
            }
            for (int i = start + 4; i < 8; i++) {
                assertEquals(MASK, e.ids()[i], "later block position " + i + " at step " + e.step());
            }
        }
        // logits are only asked for at masked positions of the current block
        for (int f = 0; f < fake.forwards.size(); f++) {
            ScriptedPredictor.Forward fw = fake.forwards.get(f);
            int start = P + (f / 2) * 4;
            for (long pos : fw.positions()) {
                assertTrue(pos >= start && pos < start + 4, "forward " + f + " asked for position " + pos);
                assertEquals(MASK, fw.ids()[0][(int) pos], "forward " + f + " asked for unmasked " + pos);
            }
        }
    }

    @Test
    void lowConfidenceCommitsTheMostProbablePositionsFirstAndReportsTheirProbability() {
        float[] margin = {2.0f, 0.5f, 3.0f, 1.0f};
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(pos - P + 1, margin[pos - P]));
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, plain(4, 4, 2), steps);
        assertArrayEquals(new int[] {2, 0}, steps.events.get(0).committed());
        assertArrayEquals(new int[] {3, 1}, steps.events.get(1).committed());
        assertArrayEquals(new int[] {1, 2, 3, 4}, r.outputIds());
        for (StepEvent e : steps.events) {
            assertEquals(e.committed().length, e.confidences().length);
            for (int c = 0; c < e.committed().length; c++) {
                double expected = peakProbability(margin[e.committed()[c]], 0);
                assertEquals(expected, e.confidences()[c], 1e-6, "confidence of position " + e.committed()[c]);
                if (c > 0) {
                    assertTrue(e.confidences()[c - 1] >= e.confidences()[c], "descending order");
                }
            }
        }
    }

    /** LLaDA-V takes softmax(logits.float64): logits one float step apart must not tie. */
    @Test
    void confidenceResolvesNearTiesLikeTheFloat64Reference() {
        float[] margin = {1.0f, Math.nextUp(1.0f)};
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(1, margin[pos - P]));
        RecordingListener steps = new RecordingListener();
        fake.generate(manager, plain(2, 2, 2), steps);
        assertArrayEquals(new int[] {1, 0}, steps.commitOrder(), "the higher logit is the more confident");
    }

    @Test
    void equalConfidencesCommitLeftToRight() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(3, 2f));
        RecordingListener steps = new RecordingListener();
        fake.generate(manager, plain(5, 5, 5), steps);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, steps.commitOrder());
    }

    @Test
    void everyForwardSeesThePromptAndTheCommittedIds() {
        // position r predicts its left neighbour + 1, confidently once that neighbour is known
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> {
            int left = ids[pos - 1];
            if (pos == P) {
                return peak(1, 5f);
            }
            return left == MASK ? peak(0, 0.1f) : peak((left + 1) % 6, 5f);
        });
        GenerationResult r = fake.generate(manager, plain(4, 4, 4), StepListener.NONE);
        assertArrayEquals(new int[] {1, 2, 3, 4}, r.outputIds());
        for (ScriptedPredictor.Forward f : fake.forwards) {
            assertEquals(1, f.batch());
            assertEquals(P + 4, f.ids()[0].length);
            assertArrayEquals(Arrays.stream(PROMPT).mapToInt(x -> (int) x).toArray(),
                    Arrays.copyOf(f.ids()[0], P));
        }
    }

    @Test
    void stepEventsAreSnapshots() {
        ScriptedPredictor fake = new ScriptedPredictor(BY_POSITION);
        RecordingListener steps = new RecordingListener();
        fake.generate(manager, plain(4, 4, 4), steps);
        // confidence rises with position: 3, 2, 1, 0 are committed in that order
        assertArrayEquals(new int[] {MASK, MASK, MASK, 3}, steps.events.get(0).ids());
        assertArrayEquals(new int[] {MASK, MASK, 2, 3}, steps.events.get(1).ids());
        assertArrayEquals(new int[] {0, 1, 2, 3}, steps.events.get(3).ids());
    }

    @Test
    void thePromptSurvivesAndNothingIsLeftInItsManager() {
        ScriptedPredictor fake = new ScriptedPredictor(BY_POSITION);
        try (NDManager callers = manager.newSubManager()) {
            ai.djl.ndarray.NDArray prompt = fake.embed(callers, PROMPT);
            DiffusionSampler sampler = new DiffusionSampler(fake, ScriptedPredictor.TOKENS);
            GenerationResult first = sampler.generate(prompt, plain(8, 4, 8), StepListener.NONE);
            GenerationResult again = sampler.generate(prompt, plain(8, 4, 8), StepListener.NONE);
            assertArrayEquals(first.outputIds(), again.outputIds());
            assertEquals(callers, prompt.getManager());
            assertEquals(1, callers.getManagedArrays().size(), "only the prompt: " + callers.getManagedArrays());
            assertEquals(P * ScriptedPredictor.VOCAB, prompt.toFloatArray().length);
        }
    }

    /** Positions 0..3 favour EOS, BOS, start and end header (runner-up token 2); position 4 favours EOT. */
    private static final ScriptedPredictor.Script SPECIALS_FIRST = (row, ids, pos) -> {
        int[] favourite = {9, 10, 8, 7, 6};
        return two(favourite[pos - P], 5f, 2, 3f);
    };

    @Test
    void defaultForbiddenIdsAreEosBosAndHeaders() {
        ScriptedPredictor fake = new ScriptedPredictor(SPECIALS_FIRST);
        RecordingListener steps = new RecordingListener();
        GenerationOptions o = plain(5, 5, 5).withForbidden(null);
        GenerationResult r = fake.generate(manager, o, steps);
        assertArrayEquals(new int[] {2, 2, 2, 2, 6}, r.outputIds(), "EOT stays allowed");
        // the forbidden logits are -inf before the softmax: 4 of the 11 other ids are gone
        StepEvent first = steps.events.get(0);
        assertArrayEquals(new int[] {4}, first.committed());
        double eot = Math.exp(5) / (Math.exp(5) + Math.exp(3) + 6);
        assertEquals(eot, first.confidences()[0], 1e-6);
        double runnerUp = Math.exp(3) / (Math.exp(3) + 7);
        assertEquals(runnerUp, steps.events.get(1).confidences()[0], 1e-6);
    }

    @Test
    void anEmptyForbiddenListDisablesIt() {
        ScriptedPredictor fake = new ScriptedPredictor(SPECIALS_FIRST);
        GenerationResult r = fake.generate(manager, plain(5, 5, 5).withForbidden(List.of()), StepListener.NONE);
        assertArrayEquals(new int[] {9, 10, 8, 7, 6}, r.outputIds());
    }

    @Test
    void customForbiddenIdsReplaceTheDefaults() {
        // token 2 is everyone's favourite and forbidden; the runner-up is 3; EOS is allowed again
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) ->
                pos == P ? peak(9, 4f) : two(2, 6f, 3, 4f));
        GenerationResult r = fake.generate(manager, plain(4, 4, 2).withForbidden(List.of(2, 0)), StepListener.NONE);
        assertArrayEquals(new int[] {9, 3, 3, 3}, r.outputIds());
    }
}
