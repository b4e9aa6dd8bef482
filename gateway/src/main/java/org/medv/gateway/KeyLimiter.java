package org.medv.gateway;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Per-key limits on asks: at most {@code streams} answers in flight at once, and at most {@code perMinute} asks
 * started in any 60 s (a sliding window of start times, so a burst cannot exceed the limit at a minute's edge). A
 * refusal tells when a retry can succeed: for the window, the seconds until its oldest start leaves it; for streams,
 * 1 s (an answer may end any moment). Plain Java with an injected clock (the tests step it).
 */
final class KeyLimiter {
    static final Duration WINDOW = Duration.ofMinutes(1);

    /** An ask refused by a limit: which one, and the whole seconds after which to retry. */
    static final class Refused extends RuntimeException {
        final long retryAfterSeconds;

        Refused(String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /** One answer's hold on a stream slot; releasing twice releases once. */
    interface Permit {
        void release();
    }

    private final int streams;
    private final int perMinute;
    private final LongSupplier nanos;
    private final Map<String, State> states = new HashMap<>();

    private static final class State {
        int inFlight;
        final ArrayDeque<Long> starts = new ArrayDeque<>();
    }

    KeyLimiter(int streams, int perMinute, LongSupplier nanos) {
        if (streams < 1 || perMinute < 1) {
            throw new IllegalArgumentException("the per-key limits must be at least 1: streams " + streams
                    + ", requests per minute " + perMinute);
        }
        this.streams = streams;
        this.perMinute = perMinute;
        this.nanos = nanos;
    }

    /** Admits one ask of {@code key} or throws {@link Refused}; the permit must be released when its answer ends. */
    synchronized Permit acquire(String key) {
        long now = nanos.getAsLong();
        State s = states.computeIfAbsent(key, k -> new State());
        long windowNanos = WINDOW.toNanos();
        while (!s.starts.isEmpty() && now - s.starts.peekFirst() >= windowNanos) {
            s.starts.removeFirst();
        }
        if (s.starts.size() >= perMinute) {
            long waitNanos = s.starts.peekFirst() + windowNanos - now;
            throw new Refused("rate limit: this API key started " + perMinute + " requests in the last 60 s "
                    + "(medv.gateway.limits.requests-per-key-per-minute=" + perMinute + ")",
                    Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
        }
        if (s.inFlight >= streams) {
            throw new Refused("rate limit: this API key has " + streams + " answers in flight "
                    + "(medv.gateway.limits.streams-per-key=" + streams + ")", 1);
        }
        s.inFlight++;
        s.starts.addLast(now);
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release(key);
            }
        };
    }

    private synchronized void release(String key) {
        State s = states.get(key);
        s.inFlight--;
        if (s.inFlight == 0 && s.starts.isEmpty()) {
            states.remove(key);
        }
    }

    /** Answers in flight for {@code key} (tests and metrics). */
    synchronized int inFlight(String key) {
        State s = states.get(key);
        return s == null ? 0 : s.inFlight;
    }
}
