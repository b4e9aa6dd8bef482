package org.medv.train;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LLaDA's EOS padding at random lengths: the drawn lengths, the padded labels, the token budget, the config key. */
class EosPaddingTest {
    private static final int EOS = 7;

    @Test
    void halfTheBatchesStayAtTheirLongestAndTheRestSpreadLogUniformlyUpToTheMaximum() {
        EosPadding p = new EosPadding(320, EOS);
        SplittableRandom rng = new SplittableRandom(3);
        int n = 20000;
        int atLongest = 0;
        int[] decades = new int[2]; // [40, 113) and [113, 320]: equal widths in log space
        for (int i = 0; i < n; i++) {
            int len = p.length(40, rng);
            assertTrue(len >= 40 && len <= 320, "length " + len);
            if (len == 40) {
                atLongest++;
            } else {
                decades[len < Math.sqrt(40 * 320.0) ? 0 : 1]++;
            }
        }
        assertEquals(0.5, atLongest / (double) n, 0.02);
        assertEquals(1.0, decades[0] / (double) decades[1], 0.1, "log-uniform: as many short as long tails");
    }

    @Test
    void aBatchAsLongAsTheMaximumIsNotPaddedAndTheDrawsStayTwo() {
        EosPadding p = new EosPadding(50, EOS);
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        assertEquals(50, p.length(50, a));
        b.nextDouble();
        b.nextDouble();
        assertEquals(b.nextLong(), a.nextLong(), "the noise after the draw does not depend on its outcome");
    }

    @Test
    void paddingIsEosLabelledEosAndTheBatchKeepsItsTokenBudget() {
        EosPadding p = new EosPadding(12, EOS);
        TrainingExample e = new TrainingExample("x", new int[] {1, -200, 2, 3}, new int[] {-100, -100, 2, 3}, null);
        int[][] padded = p.pad(e, 7);
        assertArrayEquals(new int[] {1, -200, 2, 3, EOS, EOS, EOS}, padded[0]);
        assertArrayEquals(new int[] {-100, -100, 2, 3, EOS, EOS, EOS}, padded[1]);
        assertEquals(8, EosPadding.keep(32, 40, 160), "32 samples of 40 ids hold as many ids as 8 of 160");
        assertEquals(32, EosPadding.keep(32, 40, 40));
        assertEquals(1, EosPadding.keep(2, 10, 320), "at least one sample");
        TrainingExample tooLong = new TrainingExample("long", new int[13], new int[13], null);
        TrainingDataException ex = assertThrows(TrainingDataException.class, () -> p.pad(tooLong, 13));
        assertTrue(ex.getMessage().contains("long") && ex.getMessage().contains("pad_random_to=12"), ex.getMessage());
    }

    @Test
    void theConfigKeyIsOffByDefaultAndMustReachPadTo() {
        Map<String, String> v = new HashMap<>(Map.of("init", "demo", "data", "d.json", "pad_to", "40"));
        assertEquals(0, TrainConfig.from(v, Path.of(".")).padRandomTo());
        v.put("pad_random_to", "320");
        assertEquals(320, TrainConfig.from(v, Path.of(".")).padRandomTo());
        v.put("pad_random_to", "30");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.from(v, Path.of(".")));
        assertTrue(e.getMessage().contains("pad_random_to=30") && e.getMessage().contains("pad_to=40"), e.getMessage());
    }
}
