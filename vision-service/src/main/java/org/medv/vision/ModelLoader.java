package org.medv.vision;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.medv.model.LoadOptions;
import org.medv.model.VisionSide;
import org.medv.proto.v1.VisionGrpc;

/**
 * Starts loading the model when the application starts. The load runs on the engine's model thread, so the HTTP
 * and gRPC servers answer at once: readiness stays DOWN, and the gRPC health of {@code medv.v1.Vision} stays
 * NOT_SERVING, until the model is loaded.
 */
@Singleton
public class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class);
    private static final String SERVICE = VisionGrpc.SERVICE_NAME;

    void onStart(@Observes StartupEvent event, VisionConfig config, VisionEngine engine,
                 Instance<GrpcHealthStorage> grpcHealth) {
        LoadOptions options = VisionBeans.loadOptions(config);
        // quarkus-grpc marks every service SERVING when its server starts, before StartupEvent
        setGrpcHealth(grpcHealth, ServingStatus.NOT_SERVING);
        long start = System.nanoTime();
        LOG.infof("loading the vision model from %s (device %s, dtype %s)", options.modelDir(), options.device(),
                options.dtype());
        engine.load(() -> VisionSide.load(options)).whenComplete((ok, error) -> {
            if (error == null) {
                LOG.infof("vision model loaded in %d ms", (System.nanoTime() - start) / 1_000_000);
                setGrpcHealth(grpcHealth, ServingStatus.SERVING);
            } else {
                // the service stays up so that readiness can report the reason
                LOG.errorf(error, "the vision model could not be loaded from %s", options.modelDir());
            }
        });
    }

    private static void setGrpcHealth(Instance<GrpcHealthStorage> grpcHealth, ServingStatus status) {
        if (grpcHealth.isResolvable()) {
            grpcHealth.get().setStatus(SERVICE, status);
        }
    }
}
