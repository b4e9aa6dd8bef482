package org.medv.gateway;

import org.jboss.logging.Logger;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One waiting client's mailbox, bounded at one pending draft plus the final event: a newer draft replaces an
 * undelivered one (latest wins, so a slow reader skips steps, never falls behind), the final event replaces any
 * pending draft and is always delivered. Delivery is serialized (the sinks are not thread-safe) with the usual
 * work-in-progress counter, so offers from the Kafka thread and readiness callbacks from the transport never block.
 *
 * <p>Timers end every request ({@link Limits}): once Denoiser.Start has answered, each sign of life of the
 * generation (the ack, then each of its events) re-arms the stall timer, and a request that stays silent that long
 * gets a final event made here ({@link GatewayFinals#stalled}); an HTTP answer also ends after its maximum duration
 * ({@link GatewayFinals#overran}); a final event nobody takes is forgotten after the undelivered TTL.
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

        /** Ends the transport without a final event: the client did not take it in time. */
        void abort();
    }

    /** What ended a request on a timer. */
    public enum Timeout { STALL, MAX_DURATION, UNDELIVERED }

    /** The registry's side: metrics, unregistering, cancelling the generation, timers. */
    public interface Hooks {
        void sent(Mailbox box, boolean first, boolean last);

        void draftDropped(Mailbox box);

        void closed(Mailbox box);

        void cancelGeneration(Mailbox box);

        void timedOut(Mailbox box, Timeout why);

        /** Runs {@code task} once after {@code delayNanos} on a timer thread. */
        Future<?> after(long delayNanos, Runnable task);
    }

    /**
     * @param stall          silence of a started generation that ends it
     * @param maxDuration    the longest the whole answer may take, or null for no limit (gRPC: the client's deadline)
     * @param undeliveredTtl how long a final event waits for a client that does not take it
     */
    public record Limits(Duration stall, Duration maxDuration, Duration undeliveredTtl) {
    }

    private final String requestId;
    private final long receivedNanos;
    private final boolean wantsDrafts;
    private final Limits limits;
    private final Hooks hooks;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Function<DenoiseEvent, AnswerEvent> renderer;
    /** The denoiser replica that took the Start (Cancel goes there), once it has. */
    private volatile DenoiserReplica.Lease denoiser;
    /** Armed by the Start ack, touched by every event of the generation. */
    private final IdleTimer stall;

    // guarded by this
    private DenoiseEvent draft;
    private DenoiseEvent last;
    private DenoiseEvent latest;
    private boolean lastMadeHere;
    private Sink sink;
    private boolean started;
    private boolean cancelOnStart;
    private boolean finished;
    private boolean gone;
    private boolean anySent;
    private Future<?> durationTimer;
    private Future<?> undeliveredTimer;

    public Mailbox(String requestId, long receivedNanos, boolean wantsDrafts, Limits limits, Hooks hooks) {
        this.requestId = requestId;
        this.receivedNanos = receivedNanos;
        this.wantsDrafts = wantsDrafts;
        this.limits = limits;
        this.hooks = hooks;
        this.stall = new IdleTimer(limits.stall(), hooks, this::stalled);
    }

    public String requestId() {
        return requestId;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    /** The replica that accepted the request's Start: its Cancel goes there, its place is given back at the end. */
    public void takenBy(DenoiserReplica.Lease lease) {
        boolean ended;
        synchronized (this) {
            denoiser = lease;
            ended = finished;
        }
        if (ended) {
            lease.release(); // the client left during Start: closed() may have run without a lease to give back
        }
    }

    /** The replica's place, or null before a Start was accepted. */
    DenoiserReplica.Lease denoiser() {
        return denoiser;
    }

    /** How events become what the client sees (set before {@link #attach}). */
    public void renderWith(Function<DenoiseEvent, AnswerEvent> r) {
        this.renderer = r;
    }

    /** Arms the maximum-duration timer (counted from when the request was received), if there is a limit. */
    public synchronized void armMaxDuration() {
        if (limits.maxDuration() != null && !finished) {
            long left = receivedNanos + limits.maxDuration().toNanos() - System.nanoTime();
            durationTimer = hooks.after(left, this::overran);
        }
    }

    /** An event of this request from Kafka: a sign of life of its generation. */
    public void offer(DenoiseEvent e) {
        stall.touch();
        synchronized (this) {
            if (finished) {
                return;
            }
            if (e.getFinal()) {
                pendFinal(e, false);
            } else {
                latest = e;
                if (wantsDrafts && last == null) {
                    if (draft != null) {
                        hooks.draftDropped(this);
                    }
                    draft = e;
                }
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

    /**
     * Denoiser.Start succeeded: the first sign of life, which arms the stall timer. A client that already left,
     * or a request that already ended here, gets its generation cancelled now.
     */
    public void markStarted() {
        boolean cancel;
        boolean left;
        synchronized (this) {
            started = true;
            left = gone;
            cancel = gone || cancelOnStart;
            if (!finished && last == null) {
                stall.start();
            }
        }
        if (left) {
            LOG.infof("request %s: client gone before it started, cancelling its generation", requestId);
        }
        if (cancel) {
            hooks.cancelGeneration(this);
        }
    }

    /** The request was refused before anything started: nothing is delivered, no timer fires. */
    public synchronized void discard() {
        end();
    }

    /** The client disconnected or cancelled: forget it, and stop its generation if one runs. */
    public void clientGone() {
        boolean cancel;
        synchronized (this) {
            if (finished) {
                return;
            }
            end();
            gone = true;
            cancel = started;
        }
        hooks.closed(this);
        if (cancel) {
            LOG.infof("request %s: client gone, cancelling its generation", requestId);
            hooks.cancelGeneration(this);
        }
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

    /** The stall timer ran out: the generation ends here, unless its final event came meanwhile. */
    private void stalled() {
        endHere(GatewayFinals.stalled(requestId, latestSeen(), limits.stall()), Timeout.STALL);
    }

    /** The maximum-duration timer: the answer ends as DEADLINE, or, when its final waits unread, the transport. */
    private void overran() {
        Sink unread;
        synchronized (this) {
            if (finished) {
                return;
            }
            unread = last != null ? sink : null;
        }
        DenoiseEvent ending = GatewayFinals.overran(requestId, latestSeen(), limits.maxDuration());
        if (unread != null || !endHere(ending, Timeout.MAX_DURATION)) {
            forget("its answer exceeded medv.gateway.sse-max-duration", Timeout.MAX_DURATION);
        }
    }

    private synchronized DenoiseEvent latestSeen() {
        return latest;
    }

    /** Ends the request with a final event made here (unless it has one); its generation is cancelled. */
    private boolean endHere(DenoiseEvent ending, Timeout why) {
        boolean cancelNow;
        synchronized (this) {
            if (finished || last != null) {
                return false;
            }
            pendFinal(ending, true);
            cancelNow = started;
            cancelOnStart = !started;
        }
        LOG.infof("request %s: %s; ended as %s", requestId, ending.getError().getMessage(),
                ending.getFinishReason());
        hooks.timedOut(this, why);
        if (cancelNow) {
            hooks.cancelGeneration(this);
        }
        drain();
        return true;
    }

    /** Holds a final event for delivery; an undelivered one is forgotten after the TTL. Guarded by this. */
    private void pendFinal(DenoiseEvent e, boolean madeHere) {
        if (draft != null) {
            draft = null;
            hooks.draftDropped(this);
        }
        last = e;
        lastMadeHere = madeHere;
        stall.stop();
        if (undeliveredTimer == null) {
            undeliveredTimer = hooks.after(limits.undeliveredTtl().toNanos(),
                    () -> forget("its final event was not taken within medv.gateway.undelivered-ttl",
                            Timeout.UNDELIVERED));
        }
    }

    /** Forgets the request and ends its transport without a final event (its generation has ended or is cancelled). */
    private void forget(String why, Timeout kind) {
        Sink s;
        synchronized (this) {
            if (finished) {
                return;
            }
            end();
            s = sink;
        }
        LOG.infof("request %s: %s; forgotten", requestId, why);
        hooks.timedOut(this, kind);
        hooks.closed(this);
        if (s != null) {
            s.abort();
        }
    }

    /** Guarded by this: nothing more is delivered, no timer fires. */
    private void end() {
        finished = true;
        draft = null;
        last = null;
        stall.stop();
        cancel(durationTimer);
        cancel(undeliveredTimer);
    }

    private static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void drainOnce() {
        while (true) {
            DenoiseEvent next;
            boolean isFinal;
            boolean madeHere = false;
            boolean first;
            Sink s;
            synchronized (this) {
                s = sink;
                if (s == null || finished) {
                    return;
                }
                if (last != null && s.ready(true)) {
                    next = last;
                    madeHere = lastMadeHere;
                    end();
                    isFinal = true;
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
            if (!deliver(s, next, isFinal, madeHere, first)) {
                return;
            }
        }
    }

    private boolean deliver(Sink s, DenoiseEvent next, boolean isFinal, boolean madeHere, boolean first) {
        AnswerEvent event;
        try {
            event = renderer.apply(next);
            if (madeHere) {
                event = GatewayFinals.withText(event);
            }
        } catch (RuntimeException e) {
            LOG.warnf("request %s: cannot render step %d (%s); skipped", requestId, next.getStep(),
                    e.getClass().getSimpleName());
            if (!isFinal) {
                return true;
            }
            event = GatewayFinals.unrendered(next);
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
