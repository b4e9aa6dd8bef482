package org.medv.train;

/**
 * Linear warm-up then cosine decay to zero, as transformers' {@code get_cosine_schedule_with_warmup} (the
 * {@code --lr_scheduler_type cosine} of the LLaDA-V scripts): the multiplier of optimizer step {@code s} (0-based) is
 * {@code s / warmup} during warm-up, then {@code 0.5 (1 + cos(pi * (s - warmup) / (total - warmup)))}. As upstream,
 * the first step of a warm-up runs at learning rate 0.
 */
public record CosineSchedule(int warmupSteps, int totalSteps) {
    public CosineSchedule {
        if (totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmup (" + warmupSteps + ") <= steps (" + totalSteps
                    + ") and steps > 0");
        }
    }

    public double multiplier(int step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    }
}
