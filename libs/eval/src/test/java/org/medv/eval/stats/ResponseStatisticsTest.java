package org.medv.eval.stats;

import org.junit.jupiter.api.Test;
import org.medv.eval.ResponseStats;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseStatisticsTest {
    @Test
    void wordsSplitOnWhitespaceRuns() {
        assertEquals(0, ResponseStatistics.words(""));
        assertEquals(0, ResponseStatistics.words(" \n\t "));
        assertEquals(0, ResponseStatistics.words(null));
        assertEquals(5, ResponseStatistics.words("  The image shows\n a\tmass. "));
        assertEquals(2, ResponseStatistics.words("left\u00a0lung")); // no-break space, as Python's str.split()
    }

    @Test
    void collectsOneAnswersStatistics() {
        ResponseStats stats = ResponseStatistics.of("yes yes yes", new int[] {5, 6, 7, 5, 6, 7}, 64, 1200);
        assertEquals(new ResponseStats(6, 3, 64, 1200, 1.0), stats);
    }
}
