package org.medv.vision;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.util.Locale;

/** /q/health/ready is UP once the model is loaded; /q/health/live while the model thread runs. */
@Singleton
public class VisionHealth {

    @Produces
    @Readiness
    HealthCheck modelLoaded(VisionEngine engine) {
        return () -> {
            VisionEngine.State state = engine.state();
            var response = HealthCheckResponse.named("vision model").status(state == VisionEngine.State.READY)
                    .withData("state", state.name().toLowerCase(Locale.ROOT));
            if (state == VisionEngine.State.FAILED) {
                response.withData("error", engine.loadError());
            }
            return response.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck modelThread(VisionEngine engine) {
        return () -> HealthCheckResponse.named("vision model thread").status(engine.workerAlive()).build();
    }
}
