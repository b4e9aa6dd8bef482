package org.medv.model.sampler;

import org.medv.model.InvalidRequestException;

import java.util.Locale;

/**
 * Which keys and values a step reuses instead of recomputing (Fast-dLLM's block-wise approximate KV cache). Every
 * mode but {@link #NONE} runs a full forward at each block start (and every {@code refresh_every} steps when set),
 * keeps the keys and values it computed, and then forwards only part of the sequence: the cached keys and values
 * are from an older draft, so answers can differ from exact mode.
 */
public enum CacheMode {
    /** Exact mode: every step forwards the whole prompt and answer (the reference's computation). */
    NONE,
    /** Keys and values of the prompt and of the blocks before the current one are reused; the current block and
     *  everything after it are forwarded. */
    PREFIX,
    /** As {@link #PREFIX}, and the blocks after the current one are reused too: only the current block is
     *  forwarded. */
    DUAL;

    public static CacheMode parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none" -> NONE;
            case "prefix" -> PREFIX;
            case "dual" -> DUAL;
            default -> throw new InvalidRequestException("cache", "cache must be none, prefix or dual, got \""
                    + value + "\"");
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
