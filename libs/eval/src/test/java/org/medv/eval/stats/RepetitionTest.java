package org.medv.eval.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RepetitionTest {
    private static final double EPS = 1e-12;

    @Test
    void noRepeatedTrigramIsZero() {
        assertEquals(0.0, Repetition.share(new int[] {1, 2, 3, 4, 5}), EPS);
        assertEquals(0.0, Repetition.share(new int[] {1, 2, 1, 2}), EPS); // 1 2 repeats, but no 3-gram does
    }

    @Test
    void aPhraseSaidTwiceCoversBothCopies() {
        assertEquals(1.0, Repetition.share(new int[] {1, 2, 3, 1, 2, 3}), EPS);
        assertEquals(6.0 / 7, Repetition.share(new int[] {1, 2, 3, 9, 1, 2, 3}), EPS);
        // windows 5 1 2 | 1 2 3 | 2 3 6 | ...: only the two "1 2 3" copies count
        assertEquals(6.0 / 10, Repetition.share(new int[] {5, 1, 2, 3, 6, 7, 1, 2, 3, 8}), EPS);
    }

    @Test
    void overlappingOccurrencesCount() {
        assertEquals(1.0, Repetition.share(new int[] {7, 7, 7, 7}), EPS);
        assertEquals(0.0, Repetition.share(new int[] {7, 7, 7}), EPS); // one window only
    }

    @Test
    void nIsAParameter() {
        int[] ids = {1, 2, 1, 2, 9};
        assertEquals(4.0 / 5, Repetition.share(ids, 2), EPS);
        assertEquals(0.0, Repetition.share(ids, 3), EPS);
        assertEquals(4.0 / 5, Repetition.share(ids, 1), EPS); // unigrams: 1 and 2 occur twice, 9 once
    }

    @Test
    void shortOrEmptyInputIsZero() {
        assertEquals(0.0, Repetition.share(new int[0]), EPS);
        assertEquals(0.0, Repetition.share(new int[] {1, 1}), EPS);
        assertThrows(IllegalArgumentException.class, () -> Repetition.share(new int[] {1}, 0));
    }
}
