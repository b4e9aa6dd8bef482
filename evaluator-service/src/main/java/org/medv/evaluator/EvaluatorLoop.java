package org.medv.evaluator;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Map;

/**
 * Starts the evaluator's {@link ScoringLoop} at startup (its first session rebuilds every run from
 * {@code medv.scores}, then consumes {@code medv.answers}) and stops it at shutdown; the health checks ask it.
 */
@ApplicationScoped
public class EvaluatorLoop {
    @Inject
    EvaluatorConfig config;

    @Inject
    ScoreStore store;

    @Inject
    AnswerScorerFactory scorers;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    @Inject
    MeterRegistry registry;

    @Inject
    Tracer tracer;

    private ScoringLoop loop;

    void start(@Observes StartupEvent event) {
        loop = new ScoringLoop(kafka, new ScoringSession.Settings(config.answersTopic(), config.scoresTopic(),
                config.groupId(), config.scoresPartitions(), config.scoresReplicationFactor(),
                config.maxPollRecords()), store, scorers::create, registry, tracer);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
        }
    }

    public boolean ready() {
        return loop != null && loop.ready();
    }

    public String failure() {
        return loop == null ? null : loop.failure();
    }

    /** The loop's thread runs and is not stuck (it beats at every turn, also while it waits to retry). */
    public boolean alive() {
        return loop != null && loop.alive(config.livenessTimeout());
    }
}
