package org.medv.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/**
 * Ready exactly when the gateway takes requests ({@link ServingGate}): tokenizer loaded, steps consumer positioned,
 * a denoiser serving. The data says which part is missing, each denoiser replica's state when there is a list, and
 * vision-service's state: while it is not serving the gateway stays ready (text-only requests are served) and
 * {@code images} says why requests with an image are refused.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final ServingGate gate;
    private final ModelHolder models;
    private final StepsConsumer steps;
    private final BackendHealth backends;
    private final ClientRegistry clients;
    private final DenoiserPool denoisers;

    GatewayReadiness(ServingGate gate, ModelHolder models, StepsConsumer steps, BackendHealth backends,
                     ClientRegistry clients, DenoiserPool denoisers) {
        this.denoisers = denoisers;
        this.gate = gate;
        this.models = models;
        this.steps = steps;
        this.backends = backends;
        this.clients = clients;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> problems = gate.problems();
        // the gate's state, so that readiness and the gRPC health of medv.v1.Assistant never disagree
        var b = HealthCheckResponse.named("medv-gateway").status(gate.isOpen())
                .withData("tokenizer", models.loaded() ? "loaded" : models.failure() == null ? "loading" : "failed")
                .withData("steps-partitions", steps.positioned() ? steps.partitions() : 0)
                .withData("vision-service", state(backends.visionProblem()))
                .withData("denoiser-service", state(backends.denoiserProblem()))
                .withData("active-clients", clients.active());
        if (denoisers.states().size() > 1 || !denoisers.states().containsKey(DenoiserPool.CONFIGURED)) {
            denoisers.states().forEach((name, state) -> b.withData("denoiser " + name, state));
        }
        if (!problems.isEmpty()) {
            b.withData("waiting-for", String.join("; ", problems));
        }
        String images = gate.imageProblem();
        b.withData("images", images == null ? "served" : "refused: " + images);
        return b.build();
    }

    private static String state(String problem) {
        return problem == null ? "serving" : problem;
    }
}
