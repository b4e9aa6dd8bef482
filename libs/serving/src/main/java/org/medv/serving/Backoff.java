package org.medv.serving;

import java.time.Duration;

/**
 * Exponential backoff between attempts: {@code first}, doubled after every failure, at most {@code max};
 * {@link #reset()} after a success. Not thread-safe: one retry loop owns it.
 */
public final class Backoff {
    private final Duration first;
    private final Duration max;
    private int failures;

    public Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, got " + first + " and " + max);
        }
        this.first = first;
        this.max = max;
    }

    /** The delay before the next attempt; counts one more failure. */
    public Duration next() {
        Duration d = failures >= 30 ? max : first.multipliedBy(1L << failures);
        failures++;
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Failures since the last reset. */
    public int failures() {
        return failures;
    }

    public void reset() {
        failures = 0;
    }
}
