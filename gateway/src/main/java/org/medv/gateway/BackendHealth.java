package org.medv.gateway;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.medv.proto.v1.VisionGrpc;

/**
 * Whether vision-service and the denoisers can take requests, from their gRPC health service
 * ({@link HealthWatch}): vision's watch lives here, each denoiser replica's in {@link DenoiserPool}, which can take
 * requests while one of its replicas is serving.
 */
@ApplicationScoped
public class BackendHealth {
    @Inject
    @GrpcClient("vision")
    Channel visionChannel;

    private final GatewayTimers timers;
    private final Event<ReadinessChanged> changes;
    private final DenoiserPool denoisers;
    private HealthWatch vision;

    BackendHealth(GatewayTimers timers, Event<ReadinessChanged> changes, DenoiserPool denoisers) {
        this.timers = timers;
        this.changes = changes;
        this.denoisers = denoisers;
    }

    void onStart(@Observes StartupEvent ev) {
        vision = new HealthWatch("vision-service", VisionGrpc.SERVICE_NAME, visionChannel, timers,
                () -> changes.fire(new ReadinessChanged()));
        vision.watch();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (vision != null) {
            vision.stop();
        }
    }

    /** Why vision-service cannot take requests now, or null when it can. */
    public String visionProblem() {
        return vision == null ? "vision-service: not checked yet" : vision.problem();
    }

    /** Why no denoiser can take requests now, or null when one can. */
    public String denoiserProblem() {
        return denoisers.problem();
    }
}
