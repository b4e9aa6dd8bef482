package org.medv.denoiser;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.medv.denoiser.engine.Engine;

/** DOWN until the engine thread has loaded the model (and after a failed load or during shutdown). */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {
    @Inject
    Engine engine;

    @Override
    public HealthCheckResponse call() {
        String reason = engine.unavailableReason();
        return HealthCheckResponse.named("denoiser-engine")
                .status(reason == null)
                .withData("state", reason == null ? "ready" : reason)
                .withData("queue_depth", engine.queueDepth())
                .build();
    }
}
