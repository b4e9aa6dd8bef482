package org.medv.denoiser;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.medv.denoiser.engine.EngineObserver;
import org.medv.proto.v1.FinishReason;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The engine's Micrometer meters (Prometheus names in brackets): steps run [medv_denoiser_steps_total; rate() gives
 * steps per second], time from receipt to first step [medv_denoiser_first_step_seconds], time from receipt to final
 * answer [medv_denoiser_answer_seconds], one batched step [medv_denoiser_step_seconds], the queue wait
 * [medv_denoiser_queue_wait_seconds] (each timer with {@code _bucket} histograms, so p99 is computable),
 * requests by finish reason [medv_denoiser_requests_total{finish_reason}], and records the broker refused
 * [medv_denoiser_publish_failures_total]. The queue depth gauge is registered with the engine.
 */
final class EngineMetrics implements EngineObserver {
    private final MeterRegistry registry;
    private final Counter steps;
    private final Counter publishFailures;
    private final Timer firstStep;
    private final Timer answer;
    private final Timer step;
    private final Timer queueWait;

    EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.steps = Counter.builder("medv.denoiser.steps").description("Denoising steps run").register(registry);
        this.publishFailures = Counter.builder("medv.denoiser.publish.failures")
                .description("Kafka records not acknowledged").register(registry);
        // histograms (_bucket series), so that Prometheus computes any quantile: histogram_quantile(0.99, ...)
        this.firstStep = Timer.builder("medv.denoiser.first.step").publishPercentileHistogram()
                .description("Request received to its first denoising step").register(registry);
        this.answer = Timer.builder("medv.denoiser.answer").publishPercentileHistogram()
                .description("Request received to its final records acknowledged").register(registry);
        this.step = Timer.builder("medv.denoiser.step").publishPercentileHistogram()
                .description("One batched denoising step: the forward and every running request's commits")
                .register(registry);
        this.queueWait = Timer.builder("medv.denoiser.queue.wait").publishPercentileHistogram()
                .description("Request received to joining the running batch").register(registry);
        for (FinishReason r : FinishReason.values()) {
            if (r != FinishReason.FINISH_REASON_UNSPECIFIED && r != FinishReason.UNRECOGNIZED) {
                requests(r); // registered up front so that every reason shows in /q/metrics from the start
            }
        }
    }

    @Override
    public void step() {
        steps.increment();
    }

    @Override
    public void stepDuration(long nanos) {
        step.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueWait(long nanos) {
        queueWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void firstStep(long nanos) {
        firstStep.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void finished(FinishReason reason, long nanos) {
        answer.record(nanos, TimeUnit.NANOSECONDS);
        requests(reason).increment();
    }

    @Override
    public void publishFailed() {
        publishFailures.increment();
    }

    private Counter requests(FinishReason reason) {
        String name = reason.name().replace("FINISH_REASON_", "").toLowerCase(Locale.ROOT);
        return Counter.builder("medv.denoiser.requests").description("Finished requests by finish reason")
                .tag("finish_reason", name).register(registry);
    }
}
