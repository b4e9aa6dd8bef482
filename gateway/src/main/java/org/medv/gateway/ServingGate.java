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
 * and a denoiser reports SERVING. Until then every ask is refused at once with UNAVAILABLE (HTTP 503 with
 * Retry-After) instead of waiting for events that might never be read. The same condition is the readiness check
 * and the gRPC health of {@code medv.v1.Assistant}. Vision-service is needed by requests with an image only: while
 * it is not serving, those are refused at once the same way ({@link #checkImages}) and text-only requests are served.
 */
@ApplicationScoped
public class ServingGate {
    private static final Logger LOG = Logger.getLogger(ServingGate.class);

    private final ModelHolder models;
    private final StepsConsumer steps;
    private final BackendHealth backends;
    private final Instance<GrpcHealthStorage> grpcHealth;
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Waiter> imageWaiters = new ArrayList<>();
    private boolean open;
    private boolean imagesServed;

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

    /**
     * Throws UNAVAILABLE naming vision-service's problem when it cannot encode images now; a request with an image
     * asks this before anything else is done for it.
     */
    public void checkImages() {
        String problem = imageProblem();
        if (problem != null) {
            throw Status.UNAVAILABLE.withDescription("requests with an image cannot be served now: " + problem
                    + "; requests without one are; retry shortly").asRuntimeException();
        }
    }

    /**
     * Why requests with an image are refused now (vision-service is not serving), or null when they are not (a
     * text-only model refuses images as invalid input instead, whatever vision's state).
     */
    public String imageProblem() {
        if (models.loaded() && !models.model().config().multimodal()) {
            return null;
        }
        return backends.visionProblem();
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

    /** Completes when requests with an image are served ({@code served}) or refused (at once if they are now). */
    public synchronized CompletableFuture<Void> whenImages(boolean served) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (imagesServed == served) {
            f.complete(null);
        } else {
            imageWaiters.add(new Waiter(served, f));
        }
        return f;
    }

    /** quarkus-grpc marks every service SERVING when its server starts; the Assistant follows this gate. */
    void onStart(@Observes StartupEvent ev) {
        synchronized (this) {
            grpcHealth(open);
        }
    }

    /**
     * Re-reads the parts and applies what holds. The parts are read outside this object's lock (a backend may fire
     * this event while holding its own lock), so two events may apply their readings in either order: each repeats
     * until the state it leaves matches the parts as they are, so the last one to finish leaves the present state.
     */
    void onChange(@Observes ReadinessChanged change) {
        while (true) {
            boolean now = problems().isEmpty();
            String imageProblem = imageProblem();
            apply(now, imageProblem);
            boolean settledOpen = problems().isEmpty();
            boolean settledImages = imageProblem() == null;
            synchronized (this) {
                if (open == settledOpen && imagesServed == settledImages) {
                    return;
                }
            }
        }
    }

    private void apply(boolean now, String imageProblem) {
        boolean images = imageProblem == null;
        List<Waiter> done = new ArrayList<>();
        boolean openChanged;
        boolean imagesChanged;
        synchronized (this) {
            openChanged = now != open;
            imagesChanged = images != imagesServed;
            if (openChanged) {
                open = now;
                grpcHealth(now);
                waiters.removeIf(w -> w.open() == now && done.add(w));
            }
            if (imagesChanged) {
                imagesServed = images;
                imageWaiters.removeIf(w -> w.open() == images && done.add(w));
            }
        }
        if (openChanged && now) {
            LOG.info("the gateway takes requests");
        } else if (openChanged) {
            LOG.infof("the gateway refuses requests: %s", String.join("; ", problems()));
        }
        if (imagesChanged) {
            LOG.infof(images ? "vision-service is serving: requests with an image are served"
                    : "requests with an image are refused (text-only requests are served): %s", imageProblem);
        }
        done.forEach(w -> w.future().complete(null));
    }

    /** Whether the gateway takes requests: what its gRPC health and readiness say. */
    public synchronized boolean isOpen() {
        return open;
    }

    private void grpcHealth(boolean serving) {
        if (grpcHealth.isResolvable()) {
            grpcHealth.get().setStatus(AssistantGrpc.SERVICE_NAME, serving ? ServingStatus.SERVING
                    : ServingStatus.NOT_SERVING);
        }
    }
}
