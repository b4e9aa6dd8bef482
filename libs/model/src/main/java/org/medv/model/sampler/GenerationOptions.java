package org.medv.model.sampler;

import org.medv.model.InvalidRequestException;

import java.util.List;

/**
 * The reference sampler's options ({@code generate_with_embeds}). {@code forbiddenIds} and {@code stopSequences}
 * are null for "the model's defaults" (EOS, BOS and the two header tokens; {@code <|eot_id|>}) and empty for none.
 * Invalid combinations are rejected here, naming the values.
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
        List<List<Integer>> stopSequences) {

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

    public GenerationOptions withForbidden(List<Integer> ids) {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale, remasking, ids,
                stopSequences);
    }

    public GenerationOptions withStops(List<List<Integer>> stops) {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale, remasking,
                forbiddenIds, stops);
    }
}
