package org.medv.model.sampler;

import org.junit.jupiter.api.Test;
import org.medv.model.EngineTest;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.medv.model.sampler.ScriptedPredictor.P;
import static org.medv.model.sampler.ScriptedPredictor.peak;
import static org.medv.model.sampler.ScriptedPredictor.peakProbability;

/** Confidence-threshold parallel decoding (Fast-dLLM) against scripted logits. */
class ThresholdDecodingTest extends EngineTest {

    private static GenerationOptions threshold(int gen, int block, int steps, double t) {
        return ScriptedPredictor.plain(gen, block, steps).withDecoding(CacheMode.NONE, t, 0);
    }

    @Test
    void everyPositionAboveTheThresholdIsCommittedInOneStep() {
        // answer positions 0..3 are sure (margin 9), 4..7 are not (margin 1)
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(2, pos - P < 4 ? 9f : 1f));
        double sure = peakProbability(9f, 0);
        double unsure = peakProbability(1f, 0);
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, threshold(8, 8, 8, 0.9), steps);
        assertEquals(0.998644, sure, 1e-6); // above 0.9
        assertEquals(0.198150, unsure, 1e-6); // below
        // step 0: the four sure positions; then one unsure position per step (at least one), never more
        assertArrayEquals(new int[] {4, 1, 1, 1, 1}, steps.committedCounts());
        assertArrayEquals(new int[] {0, 1, 2, 3}, steps.events.get(0).committed());
        assertEquals(5, r.stepsRun());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2}, r.outputIds());
    }

    @Test
    void aBlockStillEndsWithinItsSteps() {
        // nothing ever reaches the threshold: 8 masks over 4 steps must still commit 2 per step
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(3, 1f));
        RecordingListener steps = new RecordingListener();
        GenerationResult r = fake.generate(manager, threshold(8, 8, 4, 0.9), steps);
        assertArrayEquals(new int[] {2, 2, 2, 2}, steps.committedCounts());
        assertEquals(4, r.stepsRun());
        for (StepEvent e : steps.events) {
            assertEquals(4, e.totalSteps());
        }
    }

    @Test
    void thresholdOneCommitsOnlyTheMinimum() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(1, 5f));
        RecordingListener steps = new RecordingListener();
        fake.generate(manager, threshold(6, 3, 6, 1.0), steps);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, steps.committedCounts());
    }

    @Test
    void theModeIsNamed() {
        assertEquals("exact", ScriptedPredictor.plain(8, 8, 8).modeName());
        assertEquals("none+t0.9", threshold(8, 8, 8, 0.9).modeName());
        assertEquals("dual", ScriptedPredictor.plain(8, 8, 8).withDecoding(CacheMode.DUAL, 0, 0).modeName());
        assertEquals("prefix+t0.95/r4",
                ScriptedPredictor.plain(8, 8, 8).withDecoding(CacheMode.PREFIX, 0.95, 4).modeName());
    }

    @Test
    void modeNamesParseBack() {
        GenerationOptions base = ScriptedPredictor.plain(8, 8, 8);
        for (String name : List.of("exact", "dual", "prefix", "none+t0.9", "dual+t0.75/r4", "prefix/r2")) {
            assertEquals(name, base.withModeName(name).modeName());
        }
        GenerationOptions o = base.withModeName("dual+t0.75/r4");
        assertEquals(CacheMode.DUAL, o.cache());
        assertEquals(0.75, o.threshold());
        assertEquals(4, o.refreshEvery());
        for (String bad : List.of("fast", "dual+t", "dual+t1.5", "dual+tx", "DUAL", "dual/r99999999999")) {
            org.medv.model.InvalidRequestException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.medv.model.InvalidRequestException.class, () -> base.withModeName(bad), bad);
            org.junit.jupiter.api.Assertions.assertTrue(List.of("mode", "cache", "threshold").contains(e.field()),
                    bad + ": " + e.field());
        }
    }

    @Test
    void cacheModesNeedAPredictorWithACache() {
        ScriptedPredictor fake = new ScriptedPredictor((row, ids, pos) -> peak(1, 5f));
        GenerationOptions dual = ScriptedPredictor.plain(4, 4, 4).withDecoding(CacheMode.DUAL, 0, 0);
        RecordingListener steps = new RecordingListener();
        // the first step of a block is a whole-sequence refresh that keeps keys and values: the fake refuses it
        UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(
                UnsupportedOperationException.class, () -> fake.generate(manager, dual, steps));
        assertEquals("ScriptedPredictor has no key/value cache", e.getMessage());
        assertEquals(List.of(), steps.events);
    }
}
