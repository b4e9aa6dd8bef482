package org.medv.denoiser;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.medv.denoiser.engine.Engine;
import org.medv.denoiser.engine.EngineModel;
import org.medv.denoiser.engine.EngineSettings;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.medv.model.LoadOptions;

import java.net.InetAddress;
import java.time.Clock;
import java.net.UnknownHostException;

import java.util.Map;

/**
 * Wires the engine from configuration and starts its thread at startup (the thread loads the model; readiness is
 * DOWN until it has). The engine is closed at shutdown, which flushes the last final records.
 */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    Engine engine(ModelConfig model, DenoiserConfig denoiser, TopicsConfig topics, MeterRegistry registry,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka,
                  @ConfigProperty(name = "quarkus.grpc.server.port", defaultValue = "9102") int grpcPort) {
        EngineSettings settings = denoiser.settings(model);
        LoadOptions defaults = LoadOptions.of(settings.modelDir(), null);
        LoadOptions load = new LoadOptions(settings.modelDir(), null, settings.device(), settings.dtype(),
                defaults.maxImagePixels(), defaults.hubCaches());
        TopicProvisioner.provisionInBackground(kafka, topics);
        EngineMetrics metrics = new EngineMetrics(registry);
        String instance = denoiser.instanceId().orElseGet(() -> defaultInstanceId(grpcPort));
        FinalOutbox outbox = denoiser.outboxDir().map(FinalOutbox::open).orElseGet(FinalOutbox::inMemory);
        KafkaEventSink sink = new KafkaEventSink(kafka, new KafkaEventSink.Settings(topics.steps(), topics.answers(),
                "medv-denoiser-" + instance, denoiser.maxPendingFinals(), denoiser.finalFlushTimeout()), outbox,
                metrics::publishFailed);
        LOG.infof("denoiser instance %s; final records wait %s", instance,
                denoiser.outboxDir().map(d -> "in " + d).orElse("in memory"));
        Engine engine = new Engine(settings, () -> EngineModel.load(load), sink, metrics, Clock.systemUTC());
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

    void start(@Observes StartupEvent event, Engine engine) {
        engine.start();
    }

    void close(@Disposes Engine engine) {
        engine.close();
    }
}
