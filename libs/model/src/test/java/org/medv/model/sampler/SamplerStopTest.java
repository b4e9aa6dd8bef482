package org.medv.model.sampler;

import org.medv.model.EngineTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.sampler.ScriptedPredictor.EOT;
import static org.medv.model.sampler.ScriptedPredictor.MASK;
import static org.medv.model.sampler.ScriptedPredictor.P;
import static org.medv.model.sampler.ScriptedPredictor.VOCAB;
import static org.medv.model.sampler.ScriptedPredictor.peak;
import static org.medv.model.sampler.ScriptedPredictor.plain;

/** Stop sequences, non-finite logits and cancellation: how a run ends. */
class SamplerStopTest extends EngineTest {
    private static final int M = MASK;

    @Test
    void outputIsCutBeforeTheStopAndOnlyEarlierMasksAreFilled() {
        // EOT at 2 is the most confident; positions after it beat positions 0 and 1 but must stay masked
        float[] margin = {5f, 4f, 9f, 7f, 7f, 7f, 7f, 7f};
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) ->
                peak(pos - P == 2 ? EOT : (pos - P) % 6, margin[pos - P]));
        RecordingListener steps = new RecordingListener();
        GenerationOptions o = plain(8, 8, 8).withStops(null); // the model's default: <|eot_id|>
        GenerationResult r = fake.generate(manager, o, steps);
        assertArrayEquals(new int[] {0, 1}, r.outputIds());
        assertArrayEquals(new int[] {0, 1, EOT, M, M, M, M, M}, r.finalIds());
        assertEquals(2, r.stopPosition());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(3, r.stepsRun(), "ends once no mask remains before the stop");
        assertEquals(3, fake.forwards.size());
        assertArrayEquals(new int[] {2, 0, 1}, steps.commitOrder());
        steps.events.forEach(e -> assertEquals(2, e.stopPosition()));
        // after the stop, logits are only asked for before it
        assertArrayEquals(new long[] {P, P + 1}, fake.forwards.get(1).positions());
    }

    @Test
    void aStopInAnEarlierBlockSkipsTheLaterBlocks() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) ->
                pos - P == 1 ? peak(EOT, 9f) : peak(3, 1f));
        GenerationResult r = fake.generate(manager, plain(8, 4, 8).withStops(List.of(List.of(EOT))),
                StepListener.NONE);
        assertArrayEquals(new int[] {3}, r.outputIds());
        assertArrayEquals(new int[] {3, EOT, M, M, M, M, M, M}, r.finalIds());
        assertEquals(2, r.stepsRun(), "8 steps requested");
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void multiTokenStopIsFoundOnceComplete() {
        // 3 then 4 at positions 3 and 4 are the most confident; the rest predict 1
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> switch (pos - P) {
            case 3 -> peak(3, 9f);
            case 4 -> peak(4, 8f);
            default -> peak(1, 5f - 0.1f * (pos - P));
        });
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, plain(6, 6, 6).withStops(List.of(List.of(3, 4))), steps);
        assertArrayEquals(new int[] {-1, 3, 3, 3, 3},
                steps.events.stream().mapToInt(StepEvent::stopPosition).toArray());
        assertArrayEquals(new int[] {1, 1, 1}, r.outputIds());
        assertArrayEquals(new int[] {1, 1, 1, 3, 4, M}, r.finalIds());
        assertEquals(5, r.stepsRun());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void anIncompleteMultiTokenStopIsNoStop() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(pos - P == 3 ? 3 : 1, 2f));
        GenerationResult r = fake.generate(manager, plain(6, 6, 6).withStops(List.of(List.of(3, 4))),
                StepListener.NONE);
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(-1, r.stopPosition());
        assertArrayEquals(new int[] {1, 1, 1, 3, 1, 1}, r.outputIds());
    }

    /** Step 0 commits 5 at position 5; step 1 commits 4 at position 1. */
    private static final ScriptedPredictor.Script FIVE_THEN_FOUR = (row, ids, pos) -> switch (pos - P) {
        case 5 -> peak(5, 9f);
        case 1 -> peak(4, 8f);
        default -> peak(1, 2f);
    };

    @Test
    void withSeveralStopSequencesOnlyTheFirstIsRescannedOnceOneIsFound() {
        // upstream quirk: [5] is found first; the later 4 at position 1 belongs to the second sequence: not a stop
        ScriptedPredictor fake = new ScriptedPredictor(FIVE_THEN_FOUR);
        GenerationResult r = fake.generate(manager, plain(6, 6, 6).withStops(List.of(List.of(5), List.of(4))),
                StepListener.NONE);
        assertEquals(5, r.stopPosition());
        assertArrayEquals(new int[] {1, 4, 1, 1, 1}, r.outputIds());
        // the other order: [4] is the first sequence, so its later, earlier occurrence moves the stop
        ScriptedPredictor swapped = new ScriptedPredictor(FIVE_THEN_FOUR);
        GenerationResult s = swapped.generate(manager, plain(6, 6, 6).withStops(List.of(List.of(4), List.of(5))),
                StepListener.NONE);
        assertEquals(1, s.stopPosition());
        assertArrayEquals(new int[] {1}, s.outputIds());
        assertEquals(3, s.stepsRun());
    }

    private static float[] nan() {
        float[] l = new float[VOCAB];
        Arrays.fill(l, Float.NaN);
        return l;
    }

    @Test
    void aPositionWithNanLogitsStaysMaskedAndTheRunEnds() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> pos - P == 2 ? nan() : peak(1, 3f));
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, plain(4, 4, 4), steps);
        assertArrayEquals(new int[] {1, 1, M, 1}, r.finalIds());
        assertEquals(4, r.stepsRun());
        assertArrayEquals(new int[] {1, 1, 1, 0}, steps.committedCounts(), "the last step has no finite candidate");
        for (StepEvent e : steps.events) {
            Arrays.stream(e.confidences()).forEach(c -> assertTrue(Double.isFinite(c), "confidence " + c));
        }
    }

    @Test
    void nanLogitsAreNeverCommittedWhenSamplingEither() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> pos - P == 0 ? nan() : peak(1, 30f));
        GenerationOptions o = new GenerationOptions(4, 4, 2, 1.0, 7L, 0.0, Remasking.LOW_CONFIDENCE, List.of(),
                List.of());
        GenerationResult r = fake.generate(manager, o, StepListener.NONE);
        assertEquals(M, r.finalIds()[0]);
        assertEquals(2, r.stepsRun());
        assertArrayEquals(new int[] {M, 1, 1, 1}, r.finalIds());
    }

    @Test
    void cancellationStopsBeforeTheNextForward() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(2, 1f));
        RecordingListener steps = new RecordingListener(2);
        GenerationResult r = fake.generate(manager, plain(8, 4, 8), steps);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(2, r.stepsRun());
        assertEquals(2, fake.forwards.size());
        assertEquals(3, steps.cancelChecks, "checked before each of the 2 forwards and before the third");
        assertArrayEquals(new int[] {2, 2, M, M, M, M, M, M}, r.outputIds());
    }

    @Test
    void cancellationBeforeTheFirstForwardLeavesEverythingMasked() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(2, 1f));
        GenerationResult r = fake.generate(manager, plain(4, 4, 4), new RecordingListener(0));
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(0, r.stepsRun());
        assertEquals(0, fake.forwards.size());
        assertArrayEquals(new int[] {M, M, M, M}, r.outputIds());
    }

    @Test
    void cancellationAfterAStopStillReportsCancelled() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) ->
                pos - P == 2 ? peak(EOT, 9f) : peak(1, 1f));
        GenerationResult r = fake.generate(manager, plain(4, 4, 4).withStops(null), new RecordingListener(1));
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(2, r.stopPosition());
        assertArrayEquals(new int[] {M, M}, r.outputIds());
    }
}
