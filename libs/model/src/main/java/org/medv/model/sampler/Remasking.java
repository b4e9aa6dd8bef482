package org.medv.model.sampler;

import org.medv.model.InvalidRequestException;

import java.util.Locale;

/** How the sampler ranks masked positions for unmasking (LLaDA {@code generate.py} {@code remasking}). */
public enum Remasking {
    /** Commit the positions whose predicted token has the highest probability. */
    LOW_CONFIDENCE,
    /** Commit uniformly random positions. */
    RANDOM;

    public static Remasking parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "low_confidence" -> LOW_CONFIDENCE;
            case "random" -> RANDOM;
            default -> throw new InvalidRequestException("remasking",
                    "remasking must be low_confidence or random, got \"" + value + "\"");
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
