package org.medv.denoiser.engine;

import org.medv.model.sampler.GenerationOptions;
import org.medv.proto.v1.StartRequest;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request: what it asks for (validated), when it arrived, and whether someone cancelled it. The
 * {@link #finishOnce()} guard makes its final records exactly-once whichever thread finishes it.
 */
final class Job {
    private final StartRequest request;
    private final GenerationOptions options;
    private final int promptLength;
    private final long receivedNanos;
    private final String traceparent;
    private volatile boolean cancelRequested;
    private final AtomicBoolean finished = new AtomicBoolean();

    Job(StartRequest request, GenerationOptions options, int promptLength, long receivedNanos, String traceparent) {
        this.request = request;
        this.options = options;
        this.promptLength = promptLength;
        this.receivedNanos = receivedNanos;
        this.traceparent = traceparent;
    }

    String id() {
        return request.getRequestId();
    }

    StartRequest request() {
        return request;
    }

    GenerationOptions options() {
        return options;
    }

    /** Prompt positions with the image rows spliced in. */
    int promptLength() {
        return promptLength;
    }

    long receivedNanos() {
        return receivedNanos;
    }

    /** The W3C traceparent of the Start call that admitted this job ("" untraced): its records carry it. */
    String traceparent() {
        return traceparent;
    }

    void requestCancel() {
        cancelRequested = true;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    boolean deadlinePassed(long nowUnixMs) {
        long deadline = request.getDeadlineUnixMs();
        return deadline > 0 && nowUnixMs >= deadline;
    }

    /** True for exactly one caller: the one that publishes the final records. */
    boolean finishOnce() {
        return finished.compareAndSet(false, true);
    }
}
