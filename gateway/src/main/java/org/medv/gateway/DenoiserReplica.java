package org.medv.gateway;

import io.grpc.Channel;
import io.grpc.ManagedChannel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One denoiser-service instance the gateway sends work to: its own channel, the gRPC health of its
 * {@code medv.v1.Denoiser} service, and how many of this gateway's requests it holds now (taken by a
 * {@link Lease} at Start, given back when the request ends here).
 */
final class DenoiserReplica {
    private final String name;
    private final Channel channel;
    private final boolean owned;
    private final HealthWatch health;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean listed = true;

    /** @param owned whether the channel is the pool's to close (the Quarkus-managed one is Quarkus') */
    DenoiserReplica(String name, Channel channel, boolean owned, HealthWatch health) {
        this.name = name;
        this.channel = channel;
        this.owned = owned;
        this.health = health;
    }

    /** {@code host:port}, or {@code denoiser-service} for the one of {@code quarkus.grpc.clients.denoiser}. */
    String name() {
        return name;
    }

    Channel channel() {
        return channel;
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Whether new requests may go here: its health says SERVING and its address is still listed. */
    boolean serving() {
        return listed && health.problem() == null;
    }

    /** Why no new request goes here, or null when they may. */
    String problem() {
        return listed ? health.problem() : name + " is no longer listed";
    }

    boolean listed() {
        return listed;
    }

    /** Unlisted: its address left the list (a DNS name no longer resolves to it); no new work, Cancel still goes. */
    void listed(boolean now) {
        listed = now;
    }

    Lease lease() {
        inFlight.incrementAndGet();
        return new Lease(this);
    }

    void watch() {
        health.watch();
    }

    /** Ends the health watch and closes the channel if it is the pool's. */
    void close() {
        health.stop();
        if (owned && channel instanceof ManagedChannel m) {
            m.shutdown();
            try {
                m.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One request's place on a replica; {@link #release} gives it back once, however often it is called. */
    static final class Lease {
        private final DenoiserReplica replica;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(DenoiserReplica replica) {
            this.replica = replica;
        }

        DenoiserReplica replica() {
            return replica;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                replica.inFlight.decrementAndGet();
            }
        }
    }
}
