package org.medv.gateway;

import org.medv.model.sampler.GenerationOptions;
import org.medv.proto.v1.AskRequest;

/**
 * A validated request: its id, prompt ids ({@code -200} where the image goes) and sampler options.
 *
 * @param textPositions prompt positions without the image rows (known before Vision.Encode)
 */
public record AskPlan(String requestId, AskRequest request, int[] promptIds, int textPositions,
                      GenerationOptions options, long receivedUnixMs, long receivedNanos) {

    public boolean hasImage() {
        return !request.getImage().isEmpty();
    }
}
