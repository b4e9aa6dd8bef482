package org.medv.model.sampler;

/** Why a generation ended. */
public enum FinishReason {
    /**
     * Every step of the requested length ran (a position whose predictions never had a finite confidence, e.g. NaN
     * logits, stays masked).
     */
    LENGTH,
    /** A stop sequence was found and every position before it was unmasked. */
    STOP,
    /** The listener cancelled it; the output holds what was committed so far. */
    CANCELLED
}
