package org.medv.model.sampler;

/**
 * One denoising step, as the listener (and so every streaming client) sees it.
 *
 * @param step          0-based index over the whole generation
 * @param totalSteps    the requested number of steps (a stop sequence can end the run earlier)
 * @param block         0-based block index
 * @param stepInBlock   0-based step index inside the block
 * @param ids           the generated region after this step; masked positions hold the mask id
 * @param committed     positions (relative to the generated region) unmasked by this step, in selection order
 * @param confidences   the confidence each committed position was selected with
 * @param stopPosition  where a stop sequence starts in the region, or -1 while none has been found
 */
public record StepEvent(int step, int totalSteps, int block, int stepInBlock, int[] ids, int[] committed,
                        double[] confidences, int stopPosition) {
}
