package org.medv.gateway;

import org.medv.model.sampler.GenerationOptions;
import org.medv.proto.v1.AskRequest;
import org.medv.serving.ProtoOptions;

/**
 * A validated request: its id, prompt ids ({@code -200} where the image goes) and sampler options.
 *
 * @param textPositions prompt positions without the image rows (known before Vision.Encode)
 * @param options       the request's options, the model's defaults filled in
 */
public record AskPlan(String requestId, AskRequest request, int[] promptIds, int textPositions,
                      GenerationOptions options, long receivedUnixMs, long receivedNanos) {

    /**
     * The request's options with every sampler value set: what the denoiser is sent (so that it runs exactly what
     * was validated here) and what the final event reports.
     */
    public org.medv.proto.v1.GenerationOptions resolvedOptions() {
        return ProtoOptions.resolved(request.getOptions(), options);
    }

    public boolean hasImage() {
        return !request.getImage().isEmpty();
    }
}
