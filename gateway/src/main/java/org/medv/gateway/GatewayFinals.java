package org.medv.gateway;

import io.grpc.Status;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.Timings;

import java.time.Duration;

/**
 * The final events the gateway makes itself when a request ends on a timer ({@link Mailbox}): they carry the newest
 * draft seen (so the client keeps what was unmasked), a finish reason and an error naming the limit and its key.
 * Clients read them like the denoiser's own finals: on gRPC and SSE as the final event, in the OpenAI API as an
 * error (FAILED) or as an answer cut at its committed text (DEADLINE).
 */
final class GatewayFinals {
    private GatewayFinals() {
    }

    /** No sign of life from the generation for the stall timeout: FAILED, UNAVAILABLE. */
    static DenoiseEvent stalled(String requestId, DenoiseEvent latest, Duration stall) {
        return ending(requestId, latest, FinishReason.FINISH_REASON_FAILED, Status.Code.UNAVAILABLE,
                "denoiser-service stalled: no event for this request in " + text(stall)
                        + " (medv.gateway.stall-timeout); the generation was cancelled");
    }

    /** The HTTP answer took longer than its maximum duration: DEADLINE, DEADLINE_EXCEEDED. */
    static DenoiseEvent overran(String requestId, DenoiseEvent latest, Duration max) {
        return ending(requestId, latest, FinishReason.FINISH_REASON_DEADLINE, Status.Code.DEADLINE_EXCEEDED,
                "the answer took longer than " + text(max) + " (medv.gateway.sse-max-duration); the generation "
                        + "was cancelled");
    }

    /**
     * A rendered final made here: a DEADLINE answer's text is its committed prefix (what no later step would have
     * changed), a FAILED one has none, as the denoiser's.
     */
    static AnswerEvent withText(AnswerEvent e) {
        if (e.getFinishReason() != FinishReason.FINISH_REASON_DEADLINE) {
            return e;
        }
        return e.toBuilder().setText(e.getCommittedPrefix()).build();
    }

    /** A final event the renderer could not render: what it says, without the draft. */
    static AnswerEvent unrendered(DenoiseEvent e) {
        return AnswerEvent.newBuilder().setRequestId(e.getRequestId()).setFinal(true).setText(e.getText())
                .setFinishReason(e.getFinishReason()).setTimings(e.getTimings()).addAllOutputIds(e.getOutputIdsList())
                .setError(e.getError()).build();
    }

    private static DenoiseEvent ending(String requestId, DenoiseEvent latest, FinishReason reason, Status.Code code,
                                       String message) {
        DenoiseEvent.Builder e = latest != null ? latest.toBuilder().clearCommittedPositions().clearConfidences()
                : DenoiseEvent.newBuilder().setRequestId(requestId).setStopPosition(-1);
        return e.setFinal(true).setFinishReason(reason).setTimings(Timings.getDefaultInstance())
                .setError(ErrorInfo.newBuilder().setCode(code.name()).setMessage(message))
                .setPublishedUnixNanos(System.currentTimeMillis() * 1_000_000).build();
    }

    /** {@code 30 s}, {@code 1500 ms}. */
    static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
