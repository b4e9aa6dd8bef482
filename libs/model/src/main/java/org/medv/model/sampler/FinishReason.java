package org.medv.model.sampler;

/** Why a generation ended. */
public enum FinishReason {
    /** Every position of the requested length was generated. */
    LENGTH,
    /** A stop sequence was found and every position before it was unmasked. */
    STOP,
    /** The listener cancelled it; the output holds what was committed so far. */
    CANCELLED
}
