package org.medv.gateway;

import org.jboss.logging.Logger;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One waiting client's mailbox, bounded at one pending draft plus the final event: a newer draft replaces an
 * undelivered one (latest wins, so a slow reader skips steps, never falls behind), the final event replaces any
 * pending draft and is always delivered. Delivery is serialized (the sinks are not thread-safe) with the usual
 * work-in-progress counter, so offers from the Kafka thread and readiness callbacks from the transport never block.
 */
public final class Mailbox {
    private static final Logger LOG = Logger.getLogger(Mailbox.class);

    /** Where events go: a gRPC stream, a unary call or an SSE subscriber. */
    public interface Sink {
        /** Whether the client can take one more event now ({@code last}: the final event). */
        boolean ready(boolean last);

        void send(AnswerEvent event);

        /** After the final event. */
        void finish();
    }

    /** The registry's side: metrics, unregistering, cancelling the generation. */
    public interface Hooks {
        void sent(Mailbox box, boolean first, boolean last);

        void draftDropped(Mailbox box);

        void closed(Mailbox box);

        void cancelGeneration(Mailbox box);
    }

    private final String requestId;
    private final long receivedNanos;
    private final boolean wantsDrafts;
    private final Hooks hooks;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Function<DenoiseEvent, AnswerEvent> renderer;

    // guarded by this
    private DenoiseEvent draft;
    private DenoiseEvent last;
    private long finalArrivedNanos;
    private Sink sink;
    private boolean started;
    private boolean finished;
    private boolean gone;
    private boolean anySent;

    public Mailbox(String requestId, long receivedNanos, boolean wantsDrafts, Hooks hooks) {
        this.requestId = requestId;
        this.receivedNanos = receivedNanos;
        this.wantsDrafts = wantsDrafts;
        this.hooks = hooks;
    }

    public String requestId() {
        return requestId;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    /** How events become what the client sees (set before {@link #attach}). */
    public void renderWith(Function<DenoiseEvent, AnswerEvent> r) {
        this.renderer = r;
    }

    /** An event of this request from Kafka. */
    public void offer(DenoiseEvent e) {
        synchronized (this) {
            if (finished) {
                return;
            }
            if (e.getFinal()) {
                if (draft != null) {
                    draft = null;
                    hooks.draftDropped(this);
                }
                last = e;
                finalArrivedNanos = System.nanoTime();
            } else if (wantsDrafts && last == null) {
                if (draft != null) {
                    hooks.draftDropped(this);
                }
                draft = e;
            }
        }
        drain();
    }

    /** Starts delivery; events that came before are waiting (coalesced). */
    public void attach(Sink s) {
        synchronized (this) {
            sink = s;
        }
        drain();
    }

    /** Denoiser.Start succeeded; a client that already left gets its generation cancelled now. */
    public void markStarted() {
        boolean cancel;
        synchronized (this) {
            started = true;
            cancel = gone;
        }
        if (cancel) {
            hooks.cancelGeneration(this);
        }
    }

    /** The client disconnected or cancelled: forget it, and stop its generation if one runs. */
    public void clientGone() {
        boolean cancel;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            gone = true;
            draft = null;
            last = null;
            cancel = started;
        }
        hooks.closed(this);
        if (cancel) {
            hooks.cancelGeneration(this);
        }
    }

    /** Whether a final event has waited longer than {@code ttlNanos} for a client that does not take it. */
    public synchronized boolean finalOverdue(long nowNanos, long ttlNanos) {
        return !finished && last != null && nowNanos - finalArrivedNanos > ttlNanos;
    }

    /** Forgets an overdue final event (its generation has ended, nothing to cancel). */
    public void expire() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            draft = null;
            last = null;
        }
        hooks.closed(this);
    }

    /** Delivers what the sink can take now; called by offers and by the sink's readiness callbacks. */
    public void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            drainOnce();
        } while (wip.decrementAndGet() != 0);
    }

    private void drainOnce() {
        while (true) {
            DenoiseEvent next;
            boolean isFinal;
            boolean first;
            Sink s;
            synchronized (this) {
                s = sink;
                if (s == null || finished) {
                    return;
                }
                if (last != null && s.ready(true)) {
                    next = last;
                    last = null;
                    isFinal = true;
                    finished = true;
                } else if (draft != null && s.ready(false)) {
                    next = draft;
                    draft = null;
                    isFinal = false;
                } else {
                    return;
                }
                first = !anySent;
                anySent = true;
            }
            if (!deliver(s, next, isFinal, first)) {
                return;
            }
        }
    }

    private boolean deliver(Sink s, DenoiseEvent next, boolean isFinal, boolean first) {
        AnswerEvent event;
        try {
            event = renderer.apply(next);
        } catch (RuntimeException e) {
            LOG.warnf("request %s: cannot render step %d (%s); skipped", requestId, next.getStep(),
                    e.getClass().getSimpleName());
            if (isFinal) {
                event = AnswerEvent.newBuilder().setRequestId(requestId).setFinal(true).setText(next.getText())
                        .setFinishReason(next.getFinishReason()).setTimings(next.getTimings())
                        .addAllOutputIds(next.getOutputIdsList()).setError(next.getError()).build();
            } else {
                return true;
            }
        }
        try {
            s.send(event);
            hooks.sent(this, first, isFinal);
            if (isFinal) {
                s.finish();
                hooks.closed(this);
            }
            return true;
        } catch (RuntimeException e) {
            // the transport refused (the call was cancelled under us): the client is gone
            LOG.debugf("request %s: delivery failed (%s)", requestId, e.getClass().getSimpleName());
            if (isFinal) {
                hooks.closed(this);
            } else {
                clientGone();
            }
            return false;
        }
    }
}
