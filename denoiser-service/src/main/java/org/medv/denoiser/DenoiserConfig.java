package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import org.medv.denoiser.engine.EngineSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code medv.denoiser.*}; {@link #settings} turns it (with the model keys) into the engine's record. The sampler
 * defaults are not configuration: they are the model's ({@code generation_config.json}).
 */
@ConfigMapping(prefix = "medv.denoiser")
public interface DenoiserConfig {
    /** Requests that may wait for a place in the running batch; beyond this (plus the batch) Start is refused. */
    @WithDefault("64")
    int queueCapacity();

    /** Requests decoded together, sharing each forward (1: one at a time). */
    @WithDefault("8")
    int maxBatch();

    @WithDefault("1")
    int stepStride();

    /**
     * This instance's name, stable across its restarts: its Kafka {@code transactional.id} is
     * {@code medv-denoiser-<instance-id>}, so a restarted instance fences the process it replaces. Default: the
     * host name and the gRPC port.
     */
    Optional<String> instanceId();

    /**
     * Where final records wait for the broker and accepted requests are journaled, so that they survive a crash;
     * one directory per instance. Unset: in memory only.
     */
    Optional<Path> outboxDir();

    /** Final record pairs that may wait for the broker; beyond this, Start answers UNAVAILABLE. */
    @WithDefault("10000")
    int maxPendingFinals();

    /** How long shutdown waits for the broker to take the final records still waiting. */
    @WithDefault("30s")
    Duration finalFlushTimeout();

    /**
     * For fault tests only, unset in service: a request whose metadata carries this label is held after its first
     * step until it is cancelled, so that a test cancels a request that is provably still running.
     */
    Optional<String> holdLabel();

    default EngineSettings settings(ModelConfig model) {
        return new EngineSettings(model.dir(), model.device(), model.dtype(), queueCapacity(), maxBatch(),
                stepStride(), holdLabel().orElse(null));
    }
}
