package org.medv.model.sampler;

import org.medv.model.InvalidRequestException;

import java.util.List;

/**
 * The reference sampler's options ({@code generate_with_embeds}), plus the faster decoding modes. {@code forbiddenIds}
 * and {@code stopSequences} are null for "the model's defaults" (EOS, BOS and the two header tokens;
 * {@code <|eot_id|>}) and empty for none. Invalid combinations are rejected here, naming the values.
 *
 * @param cache        which keys and values are reused between steps ({@link CacheMode#NONE}: exact mode)
 * @param threshold    0 for LLaDA's fixed transfer schedule; otherwise each step commits every masked position of the
 *                     current block whose confidence is at least this, and at least the most confident one
 *                     (Fast-dLLM's parallel decoding): a block then takes as many steps as it needs, at most its
 *                     length
 * @param refreshEvery with a cache, also recompute it every this many steps inside a block (0: only at block starts)
 */
public record GenerationOptions(
        int genLength,
        int blockLength,
        int steps,
        double temperature,
        long seed,
        double cfgScale,
        Remasking remasking,
        List<Integer> forbiddenIds,
        List<List<Integer>> stopSequences,
        CacheMode cache,
        double threshold,
        int refreshEvery) {

    /** Exact mode: no cache, the fixed transfer schedule. */
    public GenerationOptions(int genLength, int blockLength, int steps, double temperature, long seed,
                             double cfgScale, Remasking remasking, List<Integer> forbiddenIds,
                             List<List<Integer>> stopSequences) {
        this(genLength, blockLength, steps, temperature, seed, cfgScale, remasking, forbiddenIds, stopSequences,
                CacheMode.NONE, 0.0, 0);
    }

    /** The LLaDA-MedV demo's settings: 128 / 128 / 128, greedy, low-confidence remasking, model defaults. */
    public static GenerationOptions defaults() {
        return new GenerationOptions(128, 128, 128, 0.0, 0L, 0.0, Remasking.LOW_CONFIDENCE, null, null);
    }

    public GenerationOptions {
        if (genLength <= 0) {
            throw new InvalidRequestException("gen_length", "gen_length must be positive, got " + genLength);
        }
        if (blockLength <= 0) {
            throw new InvalidRequestException("block_length", "block_length must be positive, got " + blockLength);
        }
        if (steps <= 0) {
            throw new InvalidRequestException("steps", "steps must be positive, got " + steps);
        }
        if (genLength % blockLength != 0) {
            throw new InvalidRequestException("block_length", "gen_length=" + genLength
                    + " must be a multiple of block_length=" + blockLength);
        }
        int blocks = genLength / blockLength;
        if (steps % blocks != 0) {
            throw new InvalidRequestException("steps", "steps=" + steps + " must be a multiple of the number of blocks "
                    + "(gen_length=" + genLength + " / block_length=" + blockLength + " = " + blocks + ")");
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InvalidRequestException("temperature", "temperature must be a finite number >= 0, got "
                    + temperature);
        }
        if (!(cfgScale >= 0) || Double.isInfinite(cfgScale)) {
            throw new InvalidRequestException("cfg_scale", "cfg_scale must be a finite number >= 0, got " + cfgScale);
        }
        if (remasking == null) {
            throw new InvalidRequestException("remasking", "remasking must be low_confidence or random");
        }
        if (cache == null) {
            throw new InvalidRequestException("cache", "cache must be none, prefix or dual");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new InvalidRequestException("threshold", "threshold must be 0 (off) or a confidence in (0, 1], got "
                    + threshold);
        }
        if (threshold > 0 && remasking == Remasking.RANDOM) {
            throw new InvalidRequestException("threshold", "threshold=" + threshold + " ranks positions by the model's"
                    + " confidence: it needs remasking=low_confidence, not random");
        }
        if (refreshEvery < 0) {
            throw new InvalidRequestException("refresh_every", "refresh_every must be >= 0 (0: refresh the cache only"
                    + " at block starts), got " + refreshEvery);
        }
        forbiddenIds = forbiddenIds == null ? null : List.copyOf(forbiddenIds);
        if (stopSequences != null) {
            for (List<Integer> s : stopSequences) {
                if (s == null || s.isEmpty()) {
                    throw new InvalidRequestException("stop", "a stop sequence must hold at least one token id");
                }
            }
            stopSequences = stopSequences.stream().map(List::copyOf).toList();
        }
    }

    public int numBlocks() {
        return genLength / blockLength;
    }

    public int stepsPerBlock() {
        return steps / numBlocks();
    }

    /**
     * Forbidden ids must be vocabulary ids; stop ids too, and none may be the mask id (a stop sequence holding it
     * would match a still-masked draft). Null lists (the model's defaults) pass: the sampler checks those it resolves.
     */
    public void checkTokenIds(int vocabSize, int maskId) {
        checkForbidden(forbiddenIds, vocabSize);
        checkStops(stopSequences, vocabSize, maskId);
    }

    static void checkForbidden(List<Integer> ids, int vocabSize) {
        if (ids == null) {
            return;
        }
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new InvalidRequestException("forbid_ids", "forbid_ids holds token id " + id
                        + ", outside the model's vocabulary of " + vocabSize + " ids [0, " + vocabSize + ")");
            }
        }
    }

    static void checkStops(List<List<Integer>> stops, int vocabSize, int maskId) {
        if (stops == null) {
            return;
        }
        for (List<Integer> s : stops) {
            for (int id : s) {
                if (id < 0 || id >= vocabSize || id == maskId) {
                    throw new InvalidRequestException("stop_ids", "stop token id " + id + " must be a vocabulary id"
                            + " in [0, " + vocabSize + ") other than the mask id " + maskId);
                }
            }
        }
    }

    /** True for LLaDA's computation: no cache and the fixed transfer schedule (the golden sets' mode). */
    public boolean exact() {
        return cache == CacheMode.NONE && threshold == 0;
    }

    /** How the answer was decoded, for answer records and reports: {@code exact}, {@code dual}, {@code
     *  prefix+t0.9}, {@code none+t0.9}, {@code dual/r8}. */
    public String modeName() {
        if (exact()) {
            return "exact";
        }
        String s = cache.wireName();
        if (threshold > 0) {
            s += "+t" + new java.math.BigDecimal(Double.toString(threshold)).stripTrailingZeros().toPlainString();
        }
        if (refreshEvery > 0 && cache != CacheMode.NONE) {
            s += "/r" + refreshEvery;
        }
        return s;
    }

    /**
     * These options in the decoding mode {@code name} as {@link #modeName()} writes it: {@code exact}, or a cache
     * mode ({@code none}, {@code prefix}, {@code dual}) optionally followed by {@code +t<threshold>} and
     * {@code /r<refresh_every>}.
     */
    public GenerationOptions withModeName(String name) {
        String n = name == null ? "" : name.trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z]+)(?:\\+t([0-9.]+))?(?:/r([0-9]+))?")
                .matcher(n);
        if (n.equals("exact")) {
            return withDecoding(CacheMode.NONE, 0, 0);
        }
        if (!m.matches()) {
            throw new InvalidRequestException("mode", "a decoding mode is exact or none|prefix|dual, optionally with"
                    + " +t<threshold> and /r<refresh_every> (dual+t0.9/r8), got \"" + name + "\"");
        }
        double t;
        int r;
        try {
            t = m.group(2) == null ? 0 : Double.parseDouble(m.group(2));
            r = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("mode", "the threshold or refresh_every of mode \"" + name
                    + "\" is not a number");
        }
        return withDecoding(CacheMode.parse(m.group(1)), t, r);
    }

    public GenerationOptions withForbidden(List<Integer> ids) {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale, remasking, ids,
                stopSequences, cache, threshold, refreshEvery);
    }

    public GenerationOptions withStops(List<List<Integer>> stops) {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale, remasking,
                forbiddenIds, stops, cache, threshold, refreshEvery);
    }

    /** These options with another decoding mode. */
    public GenerationOptions withDecoding(CacheMode cacheMode, double confidenceThreshold, int refresh) {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale, remasking,
                forbiddenIds, stopSequences, cacheMode, confidenceThreshold, refresh);
    }
}
