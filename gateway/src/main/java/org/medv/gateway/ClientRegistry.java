package org.medv.gateway;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.medv.proto.v1.CancelReply;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.DenoiserGrpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    private final long undeliveredTtlNanos;
    private ScheduledExecutorService sweeper;

    /** For Cancel, which must not block the thread that notices the client is gone. */
    @Inject
    @GrpcClient("denoiser")
    io.grpc.Channel denoiserChannel;

    ClientRegistry(MeterRegistry meters, GatewayConfig config) {
        meters.gaugeMapSize("medv.gateway.clients.active", java.util.List.of(), waiting);
        relayed = meters.counter("medv.gateway.events.relayed");
        ignored = meters.counter("medv.gateway.events.ignored");
        dropped = meters.counter("medv.gateway.drafts.dropped");
        firstEvent = Timer.builder("medv.gateway.first.event").description("request received to first event sent")
                .register(meters);
        finalEvent = Timer.builder("medv.gateway.final.event").description("request received to final event sent")
                .register(meters);
        undeliveredTtlNanos = config.gateway().undeliveredTtl().toNanos();
    }

    void onStart(@Observes StartupEvent ev) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "medv-mailbox-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    public Mailbox register(String requestId, long receivedNanos, boolean wantsDrafts) {
        Mailbox box = new Mailbox(requestId, receivedNanos, wantsDrafts, this);
        waiting.put(requestId, box);
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
        waiting.remove(box.requestId(), box);
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
    }

    @Override
    public void cancelGeneration(Mailbox box) {
        String id = box.requestId();
        LOG.infof("request %s: client gone, cancelling its generation", id);
        CancelRequest request = CancelRequest.newBuilder().setRequestId(id).build();
        // called where the client's call context is already cancelled: Cancel must not inherit that context
        Context.current().fork().run(() -> DenoiserGrpc.newStub(denoiserChannel)
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

    private void sweep() {
        long now = System.nanoTime();
        for (Mailbox box : waiting.values()) {
            if (box.finalOverdue(now, undeliveredTtlNanos)) {
                LOG.infof("request %s: final event never taken by its client; forgotten", box.requestId());
                box.expire();
            }
        }
    }
}
