package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Objects;

/**
 * One backend's gRPC health ({@code grpc.health.v1.Health/Watch} for one service name): the server pushes its status
 * when it changes, and a watch that fails (the server is down or unreachable) is retried on a timer, with backoff,
 * over the same channel the requests use. A server without the health service (UNIMPLEMENTED) counts as serving, as
 * gRPC's client-side health checking does. Each change of {@link #problem} runs {@code changed}.
 *
 * <p>A status other than SERVING is read again every {@link #RECHECK} with a new Watch, so that an update the server
 * never pushes cannot keep a backend out: seen once in the e2e suite, a Watch that vision-service answered while it
 * was marking itself SERVING said NOT_SERVING and then nothing for minutes.
 */
final class HealthWatch implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
    private static final Logger LOG = Logger.getLogger(HealthWatch.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration MAX_RETRY = Duration.ofSeconds(2);
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final String name;
    private final String service;
    private final Channel channel;
    private final GatewayTimers timers;
    private final Runnable changed;
    private volatile boolean stopped;
    private volatile String problem;
    private volatile ClientCallStreamObserver<HealthCheckRequest> call;
    /** Set when this watch cancels its own call to read the status again: its end is not a failure. */
    private volatile boolean rechecking;
    private Duration retry = FIRST_RETRY;

    /**
     * @param name    how logs and readiness name the backend ({@code vision-service}, {@code denoiser 10.0.0.7:9102})
     * @param service the gRPC service whose health is watched
     */
    HealthWatch(String name, String service, Channel channel, GatewayTimers timers, Runnable changed) {
        this.name = name;
        this.service = service;
        this.channel = channel;
        this.timers = timers;
        this.changed = changed;
        this.problem = name + ": health not known yet";
    }

    String name() {
        return name;
    }

    /** Why the backend cannot take requests now, or null when it can. */
    String problem() {
        return problem;
    }

    void watch() {
        if (stopped) {
            return;
        }
        if (channel instanceof ManagedChannel m) {
            // the channel's own reconnect backoff grows to minutes; this watch sets the pace instead
            m.resetConnectBackoff();
        }
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(service).build(), this);
    }

    void stop() {
        stopped = true;
        ClientCallStreamObserver<HealthCheckRequest> c = call;
        if (c != null) {
            c.cancel("the gateway is stopping", null);
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(HealthCheckResponse r) {
        retry = FIRST_RETRY;
        boolean serving = r.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        set(serving ? null : name + " is not serving (" + r.getStatus() + ")");
        if (!serving) {
            ClientCallStreamObserver<HealthCheckRequest> current = call;
            timers.after(RECHECK.toNanos(), () -> recheck(current));
        }
    }

    /** Ends {@code c} to open a new Watch, if it is still the call and the backend still not serving. */
    private void recheck(ClientCallStreamObserver<HealthCheckRequest> c) {
        if (!stopped && c != null && call == c && problem != null) {
            rechecking = true;
            c.cancel("reading the status of a backend that is not serving again", null);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (stopped) {
            return;
        }
        if (rechecking) {
            rechecking = false;
            watch();
            return;
        }
        Status s = Status.fromThrowable(t);
        if (s.getCode() == Status.Code.UNIMPLEMENTED) {
            set(null);
            again(MAX_RETRY);
            return;
        }
        set(name + " is unreachable (" + s.getCode() + (s.getDescription() == null ? ""
                : ": " + s.getDescription()) + ")");
        again(retry);
        retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
    }

    @Override
    public void onCompleted() {
        onError(Status.UNAVAILABLE.withDescription("the health stream ended").asRuntimeException());
    }

    private void again(Duration after) {
        timers.after(after.toNanos(), this::watch);
    }

    private void set(String now) {
        String before = problem;
        problem = now;
        if (!Objects.equals(before, now)) {
            if (now == null) {
                LOG.infof("%s is serving", name);
            } else {
                LOG.infof("%s", now);
            }
            changed.run();
        }
    }
}
