package org.medv.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the scores topic has been read back into the store and the answers consumer runs. */
@Readiness
@ApplicationScoped
public class EvaluatorReadiness implements HealthCheck {
    @Inject
    EvaluatorLoop loop;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("evaluator").status(loop.ready());
        if (loop.failure() != null) {
            b.withData("failure", loop.failure());
        }
        return b.build();
    }
}
