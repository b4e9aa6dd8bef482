package org.medv.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * DOWN when the consumer loop's thread has died or stopped beating: nothing but a restart of the process helps
 * then. A broker outage is not that: the loop keeps retrying (readiness DOWN meanwhile, with the failure).
 */
@Liveness
@ApplicationScoped
public class EvaluatorLiveness implements HealthCheck {
    @Inject
    EvaluatorLoop loop;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("evaluator-loop").status(loop.alive()).build();
    }
}
