package org.medv.serving;

import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.CacheMode;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import org.medv.model.text.TextTokenizer;
import org.medv.proto.v1.TokenIds;

import java.util.ArrayList;
import java.util.List;

/**
 * Proto {@code GenerationOptions} to the sampler's record and back. Unset fields (proto presence: an explicit 0 is a
 * value) take {@code defaults}, the served model's ({@code TextSide.generationDefaults()}); stop strings are
 * tokenized without special tokens as upstream does ({@code "<|eot_id|>"} becomes {@code [126348]}); an unset
 * {@code forbid_ids} keeps the model's forbidden ids, a set one (even empty) replaces them. Invalid values throw
 * {@link InvalidRequestException} naming the field.
 */
public final class ProtoOptions {
    private ProtoOptions() {
    }

    public static GenerationOptions toModel(org.medv.proto.v1.GenerationOptions p, GenerationOptions defaults,
                                            TextTokenizer tokenizer) {
        List<List<Integer>> stops = null; // null: the model's default (<|eot_id|>)
        if (p.getNoStop()) {
            stops = List.of();
        } else if (p.getStopCount() > 0 || p.getStopIdsCount() > 0) {
            stops = new ArrayList<>();
            for (String s : p.getStopList()) {
                if (s.isEmpty()) {
                    throw new InvalidRequestException("stop", "a stop string must not be empty");
                }
                if (tokenizer == null) {
                    throw new InvalidRequestException("stop", "stop strings need the model's tokenizer.json; "
                            + "give stop_ids instead");
                }
                int[] ids = tokenizer.encode(s);
                List<Integer> seq = new ArrayList<>();
                for (int id : ids) {
                    seq.add(id);
                }
                stops.add(seq);
            }
            for (TokenIds t : p.getStopIdsList()) {
                stops.add(new ArrayList<>(t.getIdsList()));
            }
        }
        Remasking remasking = switch (p.getRemasking()) {
            case REMASKING_UNSPECIFIED -> defaults.remasking();
            case REMASKING_LOW_CONFIDENCE -> Remasking.LOW_CONFIDENCE;
            case REMASKING_RANDOM -> Remasking.RANDOM;
            default -> throw new InvalidRequestException("remasking", "remasking must be low_confidence or random, got "
                    + p.getRemaskingValue());
        };
        CacheMode cache = switch (p.getCache()) {
            case CACHE_MODE_UNSPECIFIED -> defaults.cache();
            case CACHE_MODE_NONE -> CacheMode.NONE;
            case CACHE_MODE_PREFIX -> CacheMode.PREFIX;
            case CACHE_MODE_DUAL -> CacheMode.DUAL;
            default -> throw new InvalidRequestException("cache", "cache must be none, prefix or dual, got "
                    + p.getCacheValue());
        };
        return new GenerationOptions(
                p.hasGenLength() ? p.getGenLength() : defaults.genLength(),
                p.hasBlockLength() ? p.getBlockLength() : defaults.blockLength(),
                p.hasSteps() ? p.getSteps() : defaults.steps(),
                p.hasTemperature() ? p.getTemperature() : defaults.temperature(),
                p.hasSeed() ? p.getSeed() : defaults.seed(),
                p.hasCfgScale() ? p.getCfgScale() : defaults.cfgScale(),
                remasking,
                p.hasForbidIds() ? p.getForbidIds().getIdsList() : defaults.forbiddenIds(),
                stops != null ? stops : defaults.stopSequences(),
                cache,
                p.hasThreshold() ? p.getThreshold() : defaults.threshold(),
                p.hasRefreshEvery() ? p.getRefreshEvery() : defaults.refreshEvery());
    }

    /**
     * {@code p} with every sampler value of {@code resolved} (its {@link #toModel} result) set explicitly: what a
     * generation ran with, for the denoiser, the answer record and the final event. Stop and forbidden ids keep the
     * request's form (unset still means the model's special tokens).
     */
    public static org.medv.proto.v1.GenerationOptions resolved(org.medv.proto.v1.GenerationOptions p,
                                                              GenerationOptions resolved) {
        return p.toBuilder()
                .setGenLength(resolved.genLength())
                .setBlockLength(resolved.blockLength())
                .setSteps(resolved.steps())
                .setTemperature(resolved.temperature())
                .setSeed(resolved.seed())
                .setCfgScale(resolved.cfgScale())
                .setRemasking(switch (resolved.remasking()) {
                    case LOW_CONFIDENCE -> org.medv.proto.v1.Remasking.REMASKING_LOW_CONFIDENCE;
                    case RANDOM -> org.medv.proto.v1.Remasking.REMASKING_RANDOM;
                })
                .setCache(switch (resolved.cache()) {
                    case NONE -> org.medv.proto.v1.CacheMode.CACHE_MODE_NONE;
                    case PREFIX -> org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX;
                    case DUAL -> org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL;
                })
                .setThreshold(resolved.threshold())
                .setRefreshEvery(resolved.refreshEvery())
                .build();
    }

    /**
     * The decoding mode a {@link #resolved} message names, as {@link GenerationOptions#modeName()} words it
     * ({@code exact}, {@code dual}, {@code prefix+t0.9}, {@code dual/r8}); an unspecified cache is none.
     */
    public static String modeName(org.medv.proto.v1.GenerationOptions p) {
        CacheMode cache = switch (p.getCache()) {
            case CACHE_MODE_PREFIX -> CacheMode.PREFIX;
            case CACHE_MODE_DUAL -> CacheMode.DUAL;
            default -> CacheMode.NONE;
        };
        // low_confidence (defaults()), the remasking every threshold needs: only the mode's three values matter here
        return GenerationOptions.defaults().withDecoding(cache, p.getThreshold(), p.getRefreshEvery()).modeName();
    }
}
