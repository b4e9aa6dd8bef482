package org.medv.gateway;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the tokenizer is loaded and the steps consumer holds its partitions (so no event is missed). */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final ModelHolder models;
    private final AssignmentTracker assignment;
    private final ClientRegistry clients;

    GatewayReadiness(ModelHolder models, @Identifier("medv-gateway-assignment") AssignmentTracker assignment,
                      ClientRegistry clients) {
        this.models = models;
        this.assignment = assignment;
        this.clients = clients;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = models.loaded() && assignment.hasAssignment();
        var b = HealthCheckResponse.named("medv-gateway").status(up)
                .withData("tokenizer", models.loaded() ? "loaded" : models.failure() == null ? "loading" : "failed")
                .withData("steps-partitions", assignment.partitions())
                .withData("active-clients", clients.active());
        return b.build();
    }
}
