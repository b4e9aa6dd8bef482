package org.medv.cli;

import org.medv.model.sampler.CacheMode;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import org.medv.proto.v1.TokenIds;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.util.List;

/**
 * The sampler options shared by {@code generate}, {@code bench generate}, {@code ask} and {@code eval run}. A flag
 * left out is null: in-process it takes the model's defaults (its {@code generation_config.json}, else LLaDA-MedV's
 * 128 / 128 / 128, greedy, low_confidence, exact decoding), and over gRPC it stays unset so that the gateway applies
 * the served model's.
 */
final class GenerationFlags {
    static final String MODEL_DEFAULT = "default: the model's generation_config.json ";

    @Option(names = "--gen-length", paramLabel = "N",
            description = "answer length in tokens (" + MODEL_DEFAULT + "gen_length, else 128)")
    Integer genLength;

    @Option(names = "--block-length", paramLabel = "N",
            description = "semi-autoregressive block length (" + MODEL_DEFAULT + "block_length, else 128)")
    Integer blockLength;

    @Option(names = "--steps", paramLabel = "N",
            description = "denoising steps, a multiple of the number of blocks (" + MODEL_DEFAULT + "steps, else 128)")
    Integer steps;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Gumbel-max sampling temperature; 0 is greedy (" + MODEL_DEFAULT + "temperature, else 0)")
    Double temperature;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the sampling noise (default 0)")
    Long seed;

    @Option(names = "--cfg-scale", paramLabel = "C",
            description = "classifier-free guidance scale; 0 is off (" + MODEL_DEFAULT + "cfg_scale, else 0)")
    Double cfgScale;

    @Option(names = "--remasking", paramLabel = "low_confidence|random",
            description = "which masks stay (" + MODEL_DEFAULT + "remasking, else low_confidence)")
    String remasking;

    @Option(names = "--forbid-ids", paramLabel = "CSV|none",
            description = "token ids never produced at masked positions (default: EOS, BOS and the header tokens)")
    String forbidIds;

    @Option(names = "--stop-ids", paramLabel = "'a,b;c'|none",
            description = "stop sequences separated by ';', each a comma list of ids (default: <|eot_id|>)")
    String stopIds;

    @Option(names = "--cache", paramLabel = "none|prefix|dual",
            description = "keys and values reused between steps; none is exact mode (" + MODEL_DEFAULT
                    + "cache, else none)")
    String cache;

    @Option(names = "--threshold", paramLabel = "T",
            description = "commit every masked position at least this confident, in (0, 1]; 0 is LLaDA's fixed "
                    + "schedule; needs low_confidence (" + MODEL_DEFAULT + "threshold, else 0)")
    Double threshold;

    @Option(names = "--refresh-every", paramLabel = "N",
            description = "with a cache, recompute it every N steps inside a block; 0: at block starts only ("
                    + MODEL_DEFAULT + "refresh_every, else 0)")
    Integer refreshEvery;

    /** The flags given, the rest from {@code defaults} (the model's). */
    GenerationOptions toOptions(GenerationOptions defaults) {
        return new GenerationOptions(
                genLength != null ? genLength : defaults.genLength(),
                blockLength != null ? blockLength : defaults.blockLength(),
                steps != null ? steps : defaults.steps(),
                temperature != null ? temperature : defaults.temperature(),
                seed != null ? seed : defaults.seed(),
                cfgScale != null ? cfgScale : defaults.cfgScale(),
                remasking != null ? Remasking.parse(remasking) : defaults.remasking(),
                forbidIds != null ? IdLists.optionalList("forbid_ids", forbidIds) : defaults.forbiddenIds(),
                stopIds != null ? IdLists.stopSequences(stopIds) : defaults.stopSequences(),
                cache != null ? CacheMode.parse(cache) : defaults.cache(),
                threshold != null ? threshold : defaults.threshold(),
                refreshEvery != null ? refreshEvery : defaults.refreshEvery());
    }

    /** The flags given as proto options; the ones left out stay unset (the gateway applies the model's). */
    org.medv.proto.v1.GenerationOptions toProto() {
        org.medv.proto.v1.GenerationOptions.Builder o = org.medv.proto.v1.GenerationOptions.newBuilder();
        if (genLength != null) {
            o.setGenLength(genLength);
        }
        if (blockLength != null) {
            o.setBlockLength(blockLength);
        }
        if (steps != null) {
            o.setSteps(steps);
        }
        if (temperature != null) {
            o.setTemperature(temperature);
        }
        if (seed != null) {
            o.setSeed(seed);
        }
        if (cfgScale != null) {
            o.setCfgScale(cfgScale);
        }
        if (remasking != null) {
            o.setRemasking(switch (Remasking.parse(remasking)) {
                case LOW_CONFIDENCE -> org.medv.proto.v1.Remasking.REMASKING_LOW_CONFIDENCE;
                case RANDOM -> org.medv.proto.v1.Remasking.REMASKING_RANDOM;
            });
        }
        checkDecoding();
        if (cache != null) {
            o.setCache(switch (CacheMode.parse(cache)) {
                case NONE -> org.medv.proto.v1.CacheMode.CACHE_MODE_NONE;
                case PREFIX -> org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX;
                case DUAL -> org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL;
            });
        }
        if (threshold != null) {
            o.setThreshold(threshold);
        }
        if (refreshEvery != null) {
            o.setRefreshEvery(refreshEvery);
        }
        List<Integer> forbidden = IdLists.optionalList("forbid_ids", forbidIds);
        if (forbidden != null) {
            o.setForbidIds(TokenIds.newBuilder().addAllIds(forbidden));
        }
        List<List<Integer>> stops = IdLists.stopSequences(stopIds);
        if (stops != null && stops.isEmpty()) {
            o.setNoStop(true);
        } else if (stops != null) {
            stops.forEach(s -> o.addStopIds(TokenIds.newBuilder().addAllIds(s)));
        }
        return o.build();
    }

    /**
     * The decoding flags' limits, checked before anything is sent (as {@link GenerationOptions} checks them; a
     * threshold with the served model's random remasking is left to the gateway, which knows it).
     */
    private void checkDecoding() {
        new GenerationOptions(128, 128, 128, 0, 0, 0,
                remasking != null ? Remasking.parse(remasking) : Remasking.LOW_CONFIDENCE, null, null,
                cache != null ? CacheMode.parse(cache) : CacheMode.NONE, threshold != null ? threshold : 0,
                refreshEvery != null ? refreshEvery : 0);
    }

    /**
     * The length and decoding flags given, as an evaluation run's settings label
     * ({@code gen=64,block=32,steps=64,cache=dual,threshold=0.9,refresh=8}, the keys of {@code eval sweep --grid});
     * the ones left out are the served model's and not known here, so they are not named. Null when none was given.
     */
    String settingsLabel() {
        StringBuilder b = new StringBuilder();
        append(b, "gen", genLength);
        append(b, "block", blockLength);
        append(b, "steps", steps);
        append(b, "cache", cache == null ? null : CacheMode.parse(cache).wireName());
        append(b, "threshold", threshold == null ? null
                : new BigDecimal(Double.toString(threshold)).stripTrailingZeros().toPlainString());
        append(b, "refresh", refreshEvery);
        return b.isEmpty() ? null : b.toString();
    }

    private static void append(StringBuilder b, String key, Object value) {
        if (value != null) {
            b.append(b.isEmpty() ? "" : ",").append(key).append('=').append(value);
        }
    }
}
