package org.medv.denoiser.engine;

import org.medv.model.sampler.StepEvent;
import org.medv.model.sampler.StepListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * The sampler's listener for one request, on the engine thread: hands every {@code stride}-th step to the sink
 * without waiting for the broker, and tells the sampler to stop (before its next forward) once the request is
 * cancelled, its deadline has passed, or the engine is shutting down.
 */
final class StepPublisher implements StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(StepPublisher.class);

    private final Job job;
    private final EventSink sink;
    private final EngineObserver observer;
    private final int stride;
    private final int maskId;
    private final BooleanSupplier shuttingDown;
    private final Clock clock;
    private int steps;
    private int[] lastIds = new int[0];
    private long firstStepNanos;
    private boolean publishFailureLogged;

    StepPublisher(Job job, EventSink sink, EngineObserver observer, int stride, int maskId,
                  BooleanSupplier shuttingDown, Clock clock) {
        this.job = job;
        this.sink = sink;
        this.observer = observer;
        this.stride = stride;
        this.maskId = maskId;
        this.shuttingDown = shuttingDown;
        this.clock = clock;
    }

    @Override
    public void onStep(StepEvent e) {
        steps++;
        lastIds = e.ids();
        observer.step();
        if (firstStepNanos == 0) {
            firstStepNanos = System.nanoTime();
            observer.firstStep(firstStepNanos - job.receivedNanos());
        }
        if ((e.step() + 1) % stride == 0) {
            sink.publishStep(job.id(), Events.step(job, e, maskId)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    observer.publishFailed();
                    logOnce(failure);
                }
            });
        }
    }

    @Override
    public boolean cancelled() {
        return job.cancelRequested() || shuttingDown.getAsBoolean()
                || job.deadlinePassed(clock.millis());
    }

    /** Steps run so far. */
    int steps() {
        return steps;
    }

    /** The generated region after the last step run (empty before the first). */
    int[] lastIds() {
        return lastIds;
    }

    /** {@link System#nanoTime()} of the first step, or 0 when none ran. */
    long firstStepNanos() {
        return firstStepNanos;
    }

    private synchronized void logOnce(Throwable failure) {
        if (!publishFailureLogged) {
            publishFailureLogged = true;
            LOG.warn("request {}: a step event was not published: {}", job.id(), failure.toString());
        }
    }
}
