package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HealthWatch} against a real gRPC server on loopback whose Watch answers with the status of the moment and
 * then never pushes a change (an update lost between the snapshot and the subscription): the watch reads the status
 * again while it is not SERVING, and sees the server serve.
 */
class HealthWatchTest {
    @Test
    void aServerThatNeverPushesTheChangeIsSeenServingByReadingAgain() throws Exception {
        AtomicInteger watches = new AtomicInteger();
        var status = new java.util.concurrent.atomic.AtomicReference<>(ServingStatus.NOT_SERVING);
        Server server = ServerBuilder.forPort(0).addService(new HealthGrpc.HealthImplBase() {
            @Override
            public void watch(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
                watches.incrementAndGet();
                out.onNext(HealthCheckResponse.newBuilder().setStatus(status.get()).build()); // and nothing more
            }
        }).build().start();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
        GatewayTimers timers = new GatewayTimers();
        LinkedBlockingQueue<String> changes = new LinkedBlockingQueue<>();
        HealthWatch[] holder = new HealthWatch[1];
        HealthWatch watch = new HealthWatch("vision-service", "medv.v1.Vision", channel, timers,
                () -> changes.add(String.valueOf(holder[0].problem())));
        holder[0] = watch;
        try {
            watch.watch();
            assertEquals("vision-service is not serving (NOT_SERVING)", changes.poll(30, TimeUnit.SECONDS));
            int before = watches.get();
            status.set(ServingStatus.SERVING); // the server's own state; its open Watch is never told
            // the next change is "serving", not "unreachable": a re-read cancelled by the watch itself is no failure
            assertEquals("null", changes.poll(30, TimeUnit.SECONDS), "seen serving");
            assertNull(watch.problem());
            assertTrue(watches.get() > before, "a new Watch read the status");
        } finally {
            watch.stop();
            timers.onStop(null);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
