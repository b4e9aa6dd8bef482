package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code grpc.health.v1.Health} of an in-test stand-in: every service SERVING until a test says otherwise
 * ({@link #set}); watchers get the status at once and then each change, as the real services' health does.
 */
final class FakeHealth extends HealthGrpc.HealthImplBase {
    private final Map<String, ServingStatus> statuses = new ConcurrentHashMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    private record Watcher(String service, ServerCallStreamObserver<HealthCheckResponse> out) {
        synchronized void send(ServingStatus s) {
            out.onNext(HealthCheckResponse.newBuilder().setStatus(s).build());
        }
    }

    void set(String service, ServingStatus status) {
        statuses.put(service, status);
        for (Watcher w : watchers) {
            if (w.service().equals(service)) {
                w.send(status);
            }
        }
    }

    private ServingStatus status(String service) {
        return statuses.getOrDefault(service, ServingStatus.SERVING);
    }

    @Override
    public void check(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
        out.onNext(HealthCheckResponse.newBuilder().setStatus(status(req.getService())).build());
        out.onCompleted();
    }

    @Override
    public void watch(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
        Watcher w = new Watcher(req.getService(), (ServerCallStreamObserver<HealthCheckResponse>) out);
        w.out().setOnCancelHandler(() -> watchers.remove(w));
        watchers.add(w);
        w.send(status(req.getService()));
    }
}
