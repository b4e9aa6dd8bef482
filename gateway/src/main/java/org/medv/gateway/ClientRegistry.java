package org.medv.gateway;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.medv.proto.v1.CancelReply;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.DenoiserGrpc;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * This replica's waiting clients by request id. The step relay hands it every event of the topic; only events of
 * a registered request reach a mailbox, the rest are ignored (they belong to other replicas).
 */
@ApplicationScoped
public class ClientRegistry implements Mailbox.Hooks {
    private static final Logger LOG = Logger.getLogger(ClientRegistry.class);

    private final Map<String, Mailbox> waiting = new ConcurrentHashMap<>();
    private final Counter relayed;
    private final Counter ignored;
    private final Counter dropped;
    private final Timer firstEvent;
    private final Timer finalEvent;
    private final Map<Mailbox.Timeout, Counter> timeouts = new EnumMap<>(Mailbox.Timeout.class);
    private final GatewayTimers timers;
    private final GatewayConfig.Gateway config;

    ClientRegistry(MeterRegistry meters, GatewayConfig config, GatewayTimers timers) {
        meters.gaugeMapSize("medv.gateway.clients.active", java.util.List.of(), waiting);
        relayed = meters.counter("medv.gateway.events.relayed");
        ignored = meters.counter("medv.gateway.events.ignored");
        dropped = meters.counter("medv.gateway.drafts.dropped");
        // histograms (_bucket series): p99 of the request duration is histogram_quantile(0.99, ...) in Prometheus
        firstEvent = Timer.builder("medv.gateway.first.event").description("request received to first event sent")
                .publishPercentileHistogram().register(meters);
        finalEvent = Timer.builder("medv.gateway.final.event").description("request received to final event sent"
                + " (the request's duration)").publishPercentileHistogram().register(meters);
        for (Mailbox.Timeout t : Mailbox.Timeout.values()) {
            timeouts.put(t, Counter.builder("medv.gateway.timeouts").tag("kind", t.name().toLowerCase(Locale.ROOT))
                    .description("requests ended by a gateway timer").register(meters));
        }
        this.timers = timers;
        this.config = config.gateway();
    }

    /**
     * A waiting client; {@code maxDuration} bounds the whole answer (HTTP), null leaves it to the client (gRPC
     * deadlines). The stall and undelivered-final timers always apply.
     */
    public Mailbox register(String requestId, long receivedNanos, boolean wantsDrafts, Duration maxDuration) {
        Mailbox box = new Mailbox(requestId, receivedNanos, wantsDrafts,
                new Mailbox.Limits(config.stallTimeout(), maxDuration, config.undeliveredTtl()), this);
        waiting.put(requestId, box);
        box.armMaxDuration();
        return box;
    }

    public boolean waitingFor(String requestId) {
        return waiting.containsKey(requestId);
    }

    public int active() {
        return waiting.size();
    }

    /** An event from the steps topic: to its client's mailbox if the client waits here, else ignored. */
    public void deliver(DenoiseEvent e) {
        Mailbox box = waiting.get(e.getRequestId());
        if (box == null) {
            ignored.increment();
            return;
        }
        relayed.increment();
        box.offer(e);
    }

    /** Forgets a request whose Start failed (nothing runs, nothing to cancel). */
    public void unregister(Mailbox box) {
        box.discard();
        waiting.remove(box.requestId(), box);
        release(box);
    }

    @Override
    public void sent(Mailbox box, boolean first, boolean last) {
        long elapsed = System.nanoTime() - box.receivedNanos();
        if (first) {
            firstEvent.record(elapsed, TimeUnit.NANOSECONDS);
        }
        if (last) {
            finalEvent.record(elapsed, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void draftDropped(Mailbox box) {
        dropped.increment();
    }

    @Override
    public void closed(Mailbox box) {
        waiting.remove(box.requestId(), box);
        release(box);
    }

    /** The request no longer counts on its replica's load (its generation ends, or is cancelled). */
    private static void release(Mailbox box) {
        DenoiserReplica.Lease lease = box.denoiser();
        if (lease != null) {
            lease.release();
        }
    }

    @Override
    public void timedOut(Mailbox box, Mailbox.Timeout why) {
        timeouts.get(why).increment();
    }

    @Override
    public Future<?> after(long delayNanos, Runnable task) {
        return timers.after(delayNanos, task);
    }

    @Override
    public void cancelGeneration(Mailbox box) {
        String id = box.requestId();
        DenoiserReplica.Lease lease = box.denoiser();
        if (lease == null) {
            return; // only a started request is cancelled, and a started one has its replica
        }
        LOG.debugf("request %s: cancelling its generation on %s", id, lease.replica().name()); // the caller logs why
        CancelRequest request = CancelRequest.newBuilder().setRequestId(id).build();
        // called where the client's call context is already cancelled: Cancel must not inherit that context
        Context.current().fork().run(() -> DenoiserGrpc.newStub(lease.replica().channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS).cancel(request, new CancelOutcome(id)));
    }

    /** Logs Cancel's outcome; nobody waits for it. */
    private record CancelOutcome(String requestId) implements StreamObserver<CancelReply> {
        @Override
        public void onNext(CancelReply reply) {
            LOG.debugf("request %s: cancel found=%s", requestId, reply.getFound());
        }

        @Override
        public void onError(Throwable t) {
            LOG.warnf("request %s: Denoiser.Cancel failed: %s", requestId, Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
        }
    }
}
