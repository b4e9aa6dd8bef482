package org.medv.model.sampler;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler's small named functions: the transfer schedule, top-k commit and stop detection. */
class SamplerFunctionsTest {
    private static final int M = ScriptedPredictor.MASK;

    @Test
    void scheduleGivesTheRemainderToTheFirstSteps() {
        assertArrayEquals(new int[] {3, 3, 2, 2}, DiffusionSampler.transferSchedule(10, 4));
        assertArrayEquals(new int[] {2, 2, 2, 2}, DiffusionSampler.transferSchedule(8, 4));
        assertArrayEquals(new int[] {2, 1, 1}, DiffusionSampler.transferSchedule(4, 3));
        assertArrayEquals(new int[] {7}, DiffusionSampler.transferSchedule(7, 1));
    }

    @Test
    void scheduleWithMoreStepsThanMasksEndsInZeros() {
        assertArrayEquals(new int[] {1, 1, 1, 0, 0}, DiffusionSampler.transferSchedule(3, 5));
        assertArrayEquals(new int[] {0, 0, 0}, DiffusionSampler.transferSchedule(0, 3));
    }

    @Test
    void scheduleSumsToTheMaskCountAndIsNonIncreasingWithinOne() {
        for (int n = 0; n <= 64; n++) {
            for (int steps = 1; steps <= 20; steps++) {
                int[] k = DiffusionSampler.transferSchedule(n, steps);
                String at = "n=" + n + " steps=" + steps + " -> " + Arrays.toString(k);
                assertEquals(steps, k.length, at);
                assertEquals(n, Arrays.stream(k).sum(), at);
                for (int i = 0; i < steps; i++) {
                    // n // steps everywhere, one more on exactly the first n % steps steps
                    assertEquals(n / steps + (i < n % steps ? 1 : 0), k[i], at);
                }
            }
        }
    }

    @Test
    void topKTakesTheMostConfidentInDescendingOrder() {
        assertArrayEquals(new int[] {1, 3}, DecodingPolicy.topK(new double[] {0.1, 0.9, 0.2, 0.5}, 2));
        assertArrayEquals(new int[] {1, 3, 2, 0}, DecodingPolicy.topK(new double[] {0.1, 0.9, 0.2, 0.5}, 9));
        assertArrayEquals(new int[] {}, DecodingPolicy.topK(new double[] {0.1, 0.9}, 0));
    }

    @Test
    void topKBreaksTiesTowardsTheEarlierPosition() {
        assertArrayEquals(new int[] {0, 1, 3}, DecodingPolicy.topK(new double[] {0.5, 0.5, 0.25, 0.5}, 3));
    }

    @Test
    void topKNeverPicksNonFiniteConfidences() {
        double[] c = {Double.NaN, 0.2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.1};
        assertArrayEquals(new int[] {1, 4}, DecodingPolicy.topK(c, 5));
        assertArrayEquals(new int[] {}, DecodingPolicy.topK(new double[] {Double.NaN}, 1));
    }

    @Test
    void stopIsTheFirstOccurrence() {
        int[] gen = {1, 6, 2, 6};
        assertEquals(1, IterationManager.findStop(gen, List.of(List.of(6)), -1));
        assertEquals(-1, IterationManager.findStop(gen, List.of(List.of(5)), -1));
    }

    @Test
    void stopPositionOnlyMovesEarlier() {
        int[] gen = {1, 2, 3, 6, M};
        assertEquals(3, IterationManager.findStop(gen, List.of(List.of(6)), 4));
        assertEquals(1, IterationManager.findStop(gen, List.of(List.of(6)), 1));
    }

    @Test
    void multiTokenStopNeedsEveryToken() {
        assertEquals(2, IterationManager.findStop(new int[] {3, 1, 3, 4}, List.of(List.of(3, 4)), -1));
        assertEquals(-1, IterationManager.findStop(new int[] {3, M, 4, 3}, List.of(List.of(3, 4)), -1));
        assertEquals(-1, IterationManager.findStop(new int[] {3}, List.of(List.of(3, 4)), -1), "longer than gen");
    }

    @Test
    void laterStopSequencesAreOnlyScannedWhileNothingIsFound() {
        int[] gen = {1, 4, 2, 3, 1, 5};
        // nothing found yet: the first sequence that occurs wins, even if a later one occurs earlier (upstream quirk)
        assertEquals(5, IterationManager.findStop(gen, List.of(List.of(5), List.of(4)), -1));
        assertEquals(1, IterationManager.findStop(gen, List.of(List.of(4), List.of(5)), -1));
        // first sequence absent: the scan goes on to the second
        assertEquals(1, IterationManager.findStop(gen, List.of(List.of(0), List.of(4)), -1));
        // once found, the scan ends after the first sequence, absent or not
        assertEquals(3, IterationManager.findStop(gen, List.of(List.of(0), List.of(4)), 3));
        assertEquals(5, IterationManager.findStop(gen, List.of(List.of(5), List.of(4)), 5));
        // ...but the first sequence itself still moves it earlier
        assertEquals(1, IterationManager.findStop(gen, List.of(List.of(4), List.of(2)), 3));
    }

    @Test
    void remaskingParsesWireNames() {
        assertEquals(Remasking.LOW_CONFIDENCE, Remasking.parse(" Low_Confidence "));
        assertEquals(Remasking.RANDOM, Remasking.parse("random"));
        for (Remasking r : Remasking.values()) {
            assertEquals(r, Remasking.parse(r.wireName()));
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.medv.model.InvalidRequestException.class,
                () -> Remasking.parse("greedy"));
        assertEquals("remasking", e.field());
        assertTrue(e.getMessage().contains("\"greedy\""), e.getMessage());
    }
}
