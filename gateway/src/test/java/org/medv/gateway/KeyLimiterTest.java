package org.medv.gateway;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-key limits with a stepped clock: each refusal and each Retry-After is exact. */
class KeyLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void streamsInFlightAreCappedPerKeyAndFreedOnRelease() {
        KeyLimiter limiter = new KeyLimiter(2, 100, now::get);
        KeyLimiter.Permit a = limiter.acquire("k1");
        limiter.acquire("k1");
        KeyLimiter.Refused r = assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k1"));
        assertEquals(1, r.retryAfterSeconds);
        assertTrue(r.getMessage().contains("2 answers in flight (medv.gateway.limits.streams-per-key=2)"),
                r.getMessage());
        limiter.acquire("k2"); // another key has its own slots
        a.release();
        a.release(); // a second release frees nothing more
        assertEquals(1, limiter.inFlight("k1"));
        limiter.acquire("k1");
        assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k1"));
    }

    @Test
    void startsAreCappedInAnySixtySecondsAndRetryAfterIsWhenTheOldestLeaves() {
        KeyLimiter limiter = new KeyLimiter(100, 3, now::get);
        limiter.acquire("k").release();
        advance(10);
        limiter.acquire("k").release();
        advance(10);
        limiter.acquire("k").release();
        advance(5); // 25 s after the first start
        KeyLimiter.Refused r = assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k"));
        assertEquals(35, r.retryAfterSeconds, "the first start leaves the window 60 s after it was made");
        assertTrue(r.getMessage().contains("(medv.gateway.limits.requests-per-key-per-minute=3)"), r.getMessage());
        limiter.acquire("other").release();
        advance(34);
        assertEquals(1, assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k")).retryAfterSeconds);
        advance(1);
        limiter.acquire("k").release(); // the first start has left the window
        assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k"));
    }

    @Test
    void aRefusedAskUsesNothing() {
        KeyLimiter limiter = new KeyLimiter(1, 2, now::get);
        KeyLimiter.Permit held = limiter.acquire("k");
        for (int i = 0; i < 5; i++) {
            assertThrows(KeyLimiter.Refused.class, () -> limiter.acquire("k"));
        }
        held.release();
        limiter.acquire("k"); // the second of two starts in the window: the refusals did not count
    }

    @Test
    void limitsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KeyLimiter(0, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new KeyLimiter(1, 0, now::get));
    }
}
