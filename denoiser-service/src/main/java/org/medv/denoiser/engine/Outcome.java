package org.medv.denoiser.engine;

import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;

/**
 * How a request ended, whoever ended it.
 *
 * @param outputIds    the answer (cut before a found stop); committed-so-far for cancellations
 * @param finalIds     the whole generated region after the last step run (mask id where nothing was committed)
 * @param steps        forwards run
 * @param stopPosition start of a found stop sequence, or -1
 * @param error        set for FAILED only
 */
record Outcome(FinishReason reason, int[] outputIds, int[] finalIds, int steps, int stopPosition, ErrorInfo error) {
    static Outcome unrun(FinishReason reason) {
        return new Outcome(reason, new int[0], new int[0], 0, -1, null);
    }

    static Outcome failed(ErrorInfo error, int[] lastIds, int steps) {
        return new Outcome(FinishReason.FINISH_REASON_FAILED, new int[0], lastIds, steps, -1, error);
    }
}
