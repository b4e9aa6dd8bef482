package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.VisionGrpc;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether vision-service and denoiser-service can take requests, from their gRPC health service
 * ({@code grpc.health.v1.Health/Watch} for {@code medv.v1.Vision} and {@code medv.v1.Denoiser}): each pushes its
 * status when it changes, and a watch that fails (the service is down or unreachable) is retried on a timer, with
 * backoff, over the same channels the requests use. A server without the health service (UNIMPLEMENTED) counts as
 * serving, as gRPC's client-side health checking does.
 */
@ApplicationScoped
public class BackendHealth {
    private static final Logger LOG = Logger.getLogger(BackendHealth.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration MAX_RETRY = Duration.ofSeconds(2);

    @Inject
    @GrpcClient("vision")
    Channel visionChannel;

    @Inject
    @GrpcClient("denoiser")
    Channel denoiserChannel;

    private final GatewayTimers timers;
    private final Event<ReadinessChanged> changes;
    private volatile boolean stopped;
    private Backend vision;
    private Backend denoiser;

    BackendHealth(GatewayTimers timers, Event<ReadinessChanged> changes) {
        this.timers = timers;
        this.changes = changes;
    }

    void onStart(@Observes StartupEvent ev) {
        vision = new Backend("vision-service", VisionGrpc.SERVICE_NAME, visionChannel);
        denoiser = new Backend("denoiser-service", DenoiserGrpc.SERVICE_NAME, denoiserChannel);
        vision.watch();
        denoiser.watch();
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopped = true;
        for (Backend b : new Backend[]{vision, denoiser}) {
            if (b != null) {
                b.stop();
            }
        }
    }

    /** Why vision-service cannot take requests now, or null when it can. */
    public String visionProblem() {
        return vision == null ? "vision-service: not checked yet" : vision.problem;
    }

    /** Why denoiser-service cannot take requests now, or null when it can. */
    public String denoiserProblem() {
        return denoiser == null ? "denoiser-service: not checked yet" : denoiser.problem;
    }

    /** One backend's health watch; re-watched after a failure. */
    private final class Backend implements ClientResponseObserver<HealthCheckRequest, HealthCheckResponse> {
        private final String name;
        private final String service;
        private final Channel channel;
        private volatile String problem;
        private volatile ClientCallStreamObserver<HealthCheckRequest> call;
        private Duration retry = FIRST_RETRY;

        Backend(String name, String service, Channel channel) {
            this.name = name;
            this.service = service;
            this.channel = channel;
            this.problem = name + ": health not known yet";
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
        }

        @Override
        public void onError(Throwable t) {
            if (stopped) {
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
                changes.fire(new ReadinessChanged());
            }
        }
    }
}
