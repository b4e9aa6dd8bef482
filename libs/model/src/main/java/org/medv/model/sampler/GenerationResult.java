package org.medv.model.sampler;

/**
 * @param outputIds    what the reference returns: the generated region, cut before a found stop sequence
 * @param finalIds     the whole generated region after the last step (mask id where nothing was committed)
 * @param stepsRun     number of model forwards
 * @param stopPosition start of the found stop sequence in the region, or -1
 */
public record GenerationResult(int[] outputIds, int[] finalIds, int stepsRun, FinishReason finishReason,
                               int stopPosition) {
}
