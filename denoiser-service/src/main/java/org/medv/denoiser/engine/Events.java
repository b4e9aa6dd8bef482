package org.medv.denoiser.engine;

import org.medv.model.sampler.StepEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.Timings;
import org.medv.serving.ProtoOptions;

import java.time.Instant;
import java.util.Arrays;

/** The Kafka messages the engine publishes, built from a job and what the sampler did. */
final class Events {
    private Events() {
    }

    /** A draft after one step: {@code step} is 1-based, {@code block} and {@code step_in_block} 0-based. */
    static DenoiseEvent step(Job job, StepEvent e, int maskId) {
        DenoiseEvent.Builder b = DenoiseEvent.newBuilder()
                .setRequestId(job.id())
                .setGatewayId(job.request().getGatewayId())
                .setStep(e.step() + 1)
                .setBlock(e.block())
                .setStepInBlock(e.stepInBlock())
                .setTotalSteps(e.totalSteps())
                .setStopPosition(e.stopPosition())
                .setMaskId(maskId)
                .setTraceparent(job.traceparent())
                .setPublishedUnixNanos(unixNanos());
        Arrays.stream(e.ids()).forEach(b::addIds);
        Arrays.stream(e.committed()).forEach(b::addCommittedPositions);
        Arrays.stream(e.confidences()).forEach(b::addConfidences);
        return b.build();
    }

    static DenoiseEvent finalEvent(Job job, Outcome o, String text, Timings timings, int maskId) {
        DenoiseEvent.Builder b = DenoiseEvent.newBuilder()
                .setRequestId(job.id())
                .setGatewayId(job.request().getGatewayId())
                .setStep(o.steps())
                .setTotalSteps(job.options().steps())
                .setStopPosition(o.stopPosition())
                .setMaskId(maskId)
                .setFinal(true)
                .setText(text)
                .setFinishReason(o.reason())
                .setTimings(timings)
                .setTraceparent(job.traceparent())
                .setPublishedUnixNanos(unixNanos());
        Arrays.stream(o.finalIds()).forEach(b::addIds);
        Arrays.stream(o.outputIds()).forEach(b::addOutputIds);
        if (o.error() != null) {
            b.setError(o.error());
        }
        return b.build();
    }

    static AnswerRecord answer(Job job, Outcome o, String text, Timings timings) {
        AnswerRecord.Builder b = AnswerRecord.newBuilder()
                .setRequestId(job.id())
                .setGatewayId(job.request().getGatewayId())
                .setMetadata(job.request().getMetadata())
                .setOptions(ProtoOptions.resolved(job.request().getOptions(), job.options()))
                .setText(text)
                .setFinishReason(o.reason())
                .setTimings(timings)
                .setPromptLength(job.promptLength())
                .setTraceparent(job.traceparent())
                .setFinishedUnixMs(System.currentTimeMillis());
        Arrays.stream(o.outputIds()).forEach(b::addOutputIds);
        if (o.error() != null) {
            b.setError(o.error());
        }
        return b.build();
    }

    /** Where the time went; {@code total_ms} counts from the gateway's receipt when the request says when that was. */
    static Timings timings(Job job, long started, long firstStep, long end, int steps) {
        StartRequest r = job.request();
        long total = r.getReceivedUnixMs() > 0
                ? Math.max(0, System.currentTimeMillis() - r.getReceivedUnixMs())
                : Engine.ms(System.nanoTime() - job.receivedNanos());
        return Timings.newBuilder()
                .setQueueMs(Engine.ms(started - job.receivedNanos()))
                .setVisionMs(r.getVisionMs())
                .setFirstStepMs(firstStep > 0 ? Engine.ms(firstStep - started) : 0)
                .setGenerateMs(Engine.ms(end - started))
                .setTotalMs(total)
                .setSteps(steps)
                .build();
    }

    private static long unixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
