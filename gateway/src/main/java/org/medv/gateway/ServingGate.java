package org.medv.gateway;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;
import org.medv.proto.v1.AssistantGrpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Whether the gateway takes requests: the tokenizer is loaded, the steps consumer is positioned on every partition,
 * and denoiser-service (and vision-service, for a model that takes images) report SERVING. Until then every ask
 * is refused at once with UNAVAILABLE (HTTP 503 with Retry-After) instead of waiting for events that might never be
 * read. The same condition is the readiness check and the gRPC health of {@code medv.v1.Assistant}.
 */
@ApplicationScoped
public class ServingGate {
    private static final Logger LOG = Logger.getLogger(ServingGate.class);

    private final ModelHolder models;
    private final StepsConsumer steps;
    private final BackendHealth backends;
    private final Instance<GrpcHealthStorage> grpcHealth;
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean open;

    private record Waiter(boolean open, CompletableFuture<Void> future) {
    }

    ServingGate(ModelHolder models, StepsConsumer steps, BackendHealth backends,
                Instance<GrpcHealthStorage> grpcHealth) {
        this.models = models;
        this.steps = steps;
        this.backends = backends;
        this.grpcHealth = grpcHealth;
    }

    /** Throws UNAVAILABLE naming what is not ready yet; returns at once when the gateway takes requests. */
    public void check() {
        List<String> why = problems();
        if (!why.isEmpty()) {
            throw Status.UNAVAILABLE.withDescription("the gateway is not ready: " + String.join("; ", why)
                    + "; retry shortly").asRuntimeException();
        }
    }

    /** What keeps the gateway from taking requests (empty when it takes them). */
    public List<String> problems() {
        List<String> why = new ArrayList<>();
        if (!models.loaded()) {
            why.add(models.failure() == null ? "the tokenizer is loading"
                    : "the tokenizer could not be loaded: " + models.failure());
        }
        if (!steps.positioned()) {
            why.add("the steps consumer is not positioned on the steps topic yet");
        }
        if (models.loaded() && models.model().config().multimodal() && backends.visionProblem() != null) {
            why.add(backends.visionProblem());
        }
        if (backends.denoiserProblem() != null) {
            why.add(backends.denoiserProblem());
        }
        return why;
    }

    /** Completes when the gateway takes requests ({@code open}) or refuses them (at once if it does now). */
    public synchronized CompletableFuture<Void> when(boolean open) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (this.open == open) {
            f.complete(null);
        } else {
            waiters.add(new Waiter(open, f));
        }
        return f;
    }

    /** quarkus-grpc marks every service SERVING when its server starts; the Assistant follows this gate. */
    void onStart(@Observes StartupEvent ev) {
        synchronized (this) {
            grpcHealth(open);
        }
    }

    void onChange(@Observes ReadinessChanged change) {
        boolean now = problems().isEmpty();
        List<Waiter> done = new ArrayList<>();
        synchronized (this) {
            if (now == open) {
                return;
            }
            open = now;
            grpcHealth(now);
            waiters.removeIf(w -> w.open() == now && done.add(w));
        }
        if (now) {
            LOG.info("the gateway takes requests");
        } else {
            LOG.infof("the gateway refuses requests: %s", String.join("; ", problems()));
        }
        done.forEach(w -> w.future().complete(null));
    }

    private void grpcHealth(boolean serving) {
        if (grpcHealth.isResolvable()) {
            grpcHealth.get().setStatus(AssistantGrpc.SERVICE_NAME, serving ? ServingStatus.SERVING
                    : ServingStatus.NOT_SERVING);
        }
    }
}
