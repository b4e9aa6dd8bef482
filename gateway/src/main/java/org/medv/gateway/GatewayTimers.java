package org.medv.gateway;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's one timer thread: each mailbox's stall, maximum-duration and undelivered-final timers, and the
 * retries of the backends' health watches. Tasks only flip state and hand events to mailboxes; nothing blocks here.
 */
@ApplicationScoped
public class GatewayTimers {
    private final ScheduledThreadPoolExecutor timers;

    GatewayTimers() {
        timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "medv-gateway-timers");
            t.setDaemon(true);
            return t;
        });
        // a mailbox cancels its timers when it ends: keep the queue to the live ones
        timers.setRemoveOnCancelPolicy(true);
    }

    public ScheduledFuture<?> after(long delayNanos, Runnable task) {
        return timers.schedule(task, Math.max(delayNanos, 0), TimeUnit.NANOSECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        timers.shutdownNow();
    }
}
