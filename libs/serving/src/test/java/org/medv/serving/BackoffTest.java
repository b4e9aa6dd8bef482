package org.medv.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {
    @Test
    void doublesUpToTheCapAndStartsOverAfterAReset() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        List<Long> seconds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seconds.add(b.next().toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L), seconds);
        assertEquals(8, b.failures());
        for (int i = 0; i < 100; i++) {
            assertEquals(30, b.next().toSeconds(), "no overflow after many failures");
        }
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
    }

    @Test
    void refusesAnEmptyOrInvertedRange() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
