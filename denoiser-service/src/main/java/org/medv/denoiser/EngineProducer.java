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
import org.medv.model.LoadOptions;

import java.util.Map;

/**
 * Wires the engine from configuration and starts its thread at startup (the thread loads the model; readiness is
 * DOWN until it has). The engine is closed at shutdown, which flushes the last final records.
 */
@ApplicationScoped
public class EngineProducer {

    @Produces
    @Singleton
    Engine engine(ModelConfig model, DenoiserConfig denoiser, TopicsConfig topics, MeterRegistry registry,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        EngineSettings settings = denoiser.settings(model);
        LoadOptions defaults = LoadOptions.of(settings.modelDir(), null);
        LoadOptions load = new LoadOptions(settings.modelDir(), null, settings.device(), settings.dtype(),
                defaults.maxImagePixels(), defaults.hubCaches());
        TopicProvisioner.provisionInBackground(kafka, topics);
        KafkaEventSink sink = new KafkaEventSink(kafka, topics.steps(), topics.answers());
        Engine engine = new Engine(settings, () -> EngineModel.load(load), sink, new EngineMetrics(registry));
        Gauge.builder("medv.denoiser.queue.depth", engine, Engine::queueDepth)
                .description("Requests waiting for the engine")
                .register(registry);
        return engine;
    }

    void start(@Observes StartupEvent event, Engine engine) {
        engine.start();
    }

    void close(@Disposes Engine engine) {
        engine.close();
    }
}
