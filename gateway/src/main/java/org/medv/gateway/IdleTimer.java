package org.medv.gateway;

import java.time.Duration;
import java.util.concurrent.Future;

/**
 * A lazy idle timer (as Netty's IdleStateHandler): {@link #touch} only writes a timestamp, and the scheduled task,
 * when it fires, re-arms itself for the time left since the last touch, or runs {@code onIdle} once when the
 * silence has lasted the whole timeout. So a stream of events costs one volatile write each, not a timer each.
 */
final class IdleTimer {
    private final long timeoutNanos;
    private final Mailbox.Hooks hooks;
    private final Runnable onIdle;
    private volatile long lastNanos;
    private Future<?> pending;
    private boolean stopped;

    IdleTimer(Duration timeout, Mailbox.Hooks hooks, Runnable onIdle) {
        this.timeoutNanos = timeout.toNanos();
        this.hooks = hooks;
        this.onIdle = onIdle;
    }

    /** Counts the silence from now. */
    void start() {
        touch();
        arm(timeoutNanos);
    }

    void touch() {
        lastNanos = System.nanoTime();
    }

    synchronized void stop() {
        stopped = true;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private synchronized void arm(long delayNanos) {
        if (!stopped) {
            pending = hooks.after(delayNanos, this::fire);
        }
    }

    private void fire() {
        long idle = System.nanoTime() - lastNanos;
        if (idle < timeoutNanos) {
            arm(timeoutNanos - idle);
            return;
        }
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        onIdle.run();
    }
}
