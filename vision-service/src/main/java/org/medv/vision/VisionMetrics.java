package org.medv.vision;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's meters (Prometheus names in brackets): encodes run by the model [medv_vision_encodes_total], Encode
 * latency by cache outcome [medv_vision_encode_latency_seconds], cache hits and misses
 * [medv_vision_cache_hits_total, medv_vision_cache_misses_total], rejected requests by reason
 * [medv_vision_rejected_total], queue depth and cache size. Every series is registered up front so that dashboards
 * see zeros rather than gaps.
 */
public final class VisionMetrics {
    /** Reasons a request is refused; also the values of the {@code reason} tag. */
    public static final String EMPTY = "empty";
    public static final String TOO_LARGE = "too_large";
    public static final String INVALID_IMAGE = "invalid_image";
    public static final String QUEUE_FULL = "queue_full";
    public static final String MODEL_UNAVAILABLE = "model_unavailable";

    private static final List<String> REASONS = List.of(EMPTY, TOO_LARGE, INVALID_IMAGE, QUEUE_FULL,
            MODEL_UNAVAILABLE);

    private final MeterRegistry registry;
    private final Counter encodes;
    private final Counter hits;
    private final Counter misses;
    private final Timer cachedLatency;
    private final Timer encodedLatency;

    public VisionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.encodes = Counter.builder("medv.vision.encodes").description("Images encoded by the model")
                .register(registry);
        this.hits = Counter.builder("medv.vision.cache.hits").description("Encodes answered from the cache")
                .register(registry);
        this.misses = Counter.builder("medv.vision.cache.misses").description("Encodes that ran the model")
                .register(registry);
        this.cachedLatency = latency("true");
        this.encodedLatency = latency("false");
        REASONS.forEach(this::rejectedCounter);
    }

    void encoded() {
        encodes.increment();
    }

    void cacheHit() {
        hits.increment();
    }

    void cacheMiss() {
        misses.increment();
    }

    void rejected(String reason) {
        rejectedCounter(reason).increment();
    }

    /** Time from receiving an Encode to answering it, queue wait included. */
    public void latency(long nanos, boolean cached) {
        (cached ? cachedLatency : encodedLatency).record(nanos, TimeUnit.NANOSECONDS);
    }

    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    private Counter rejectedCounter(String reason) {
        return Counter.builder("medv.vision.rejected").description("Encode requests refused, by reason")
                .tag("reason", reason).register(registry);
    }

    private Timer latency(String cached) {
        return Timer.builder("medv.vision.encode.latency").description("Encode latency, queue wait included")
                .tag("cached", cached).publishPercentileHistogram().register(registry);
    }
}
