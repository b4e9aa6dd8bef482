package org.medv.denoiser;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.medv.denoiser.engine.Engine;
import org.medv.denoiser.engine.EngineModel;
import org.medv.denoiser.engine.EngineSettings;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.medv.model.LoadOptions;
import org.medv.proto.v1.DenoiserGrpc;

import java.net.InetAddress;
import java.time.Clock;
import java.net.UnknownHostException;

import java.util.Map;

/**
 * Wires the engine from configuration and starts its thread at startup (the thread loads the model; readiness is
 * DOWN, and the gRPC health of {@code medv.v1.Denoiser} NOT_SERVING, until it has). The engine is closed at shutdown, which flushes the last final records.
 */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    Engine engine(ModelConfig model, DenoiserConfig denoiser, TopicsConfig topics, MeterRegistry registry,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  @ConfigProperty(name = "quarkus.grpc.server.port", defaultValue = "9102") int grpcPort,
                  Instance<GrpcHealthStorage> grpcHealth) {
        EngineSettings settings = denoiser.settings(model);
        LoadOptions defaults = LoadOptions.of(settings.modelDir(), null);
        LoadOptions load = new LoadOptions(settings.modelDir(), null, settings.device(), settings.dtype(),
                defaults.maxImagePixels(), defaults.hubCaches());
        TopicProvisioner.provisionInBackground(kafka, topics);
        EngineMetrics metrics = new EngineMetrics(registry);
        String instance = denoiser.instanceId().orElseGet(() -> defaultInstanceId(grpcPort));
        FinalOutbox outbox = denoiser.outboxDir().map(FinalOutbox::open).orElseGet(FinalOutbox::inMemory);
        KafkaEventSink sink = new KafkaEventSink(kafka, new KafkaEventSink.Settings(topics.steps(), topics.answers(),
                "medv-denoiser-" + instance, denoiser.maxPendingFinals(), denoiser.finalFlushTimeout(), instance), outbox,
                metrics::publishFailed);
        LOG.infof("denoiser instance %s; final records wait %s", instance,
                denoiser.outboxDir().map(d -> "in " + d).orElse("in memory"));
        Engine engine = new Engine(settings, () -> {
            EngineModel loaded = EngineModel.load(load);
            // a gateway watching this service's gRPC health sends work only from here on
            setGrpcHealth(grpcHealth, ServingStatus.SERVING);
            return loaded;
        }, sink, metrics, Clock.systemUTC());
        Gauge.builder("medv.denoiser.queue.depth", engine, Engine::queueDepth)
                .description("Requests waiting for the engine")
                .register(registry);
        Gauge.builder("medv.denoiser.pending.finals", sink, KafkaEventSink::pendingFinals)
                .description("Final record pairs waiting for the broker")
                .register(registry);
        return engine;
    }

    /** Host name and gRPC port: stable across restarts of the same instance, distinct between instances. */
    static String defaultInstanceId(int grpcPort) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + grpcPort;
    }

    void start(@Observes StartupEvent event, Engine engine, Instance<GrpcHealthStorage> grpcHealth) {
        // quarkus-grpc marks every service SERVING when its server starts: not until the model is loaded
        setGrpcHealth(grpcHealth, ServingStatus.NOT_SERVING);
        engine.start();
    }

    private static void setGrpcHealth(Instance<GrpcHealthStorage> grpcHealth, ServingStatus status) {
        if (grpcHealth.isResolvable()) {
            grpcHealth.get().setStatus(DenoiserGrpc.SERVICE_NAME, status);
        }
    }

    void close(@Disposes Engine engine) {
        engine.close();
    }
}
