package org.medv.model.sampler;

/** Receives every denoising step; may ask the sampler to stop before its next forward. */
public interface StepListener {
    StepListener NONE = event -> { };

    void onStep(StepEvent event);

    /** Checked before every forward: true ends the generation as {@link FinishReason#CANCELLED}. */
    default boolean cancelled() {
        return false;
    }
}
