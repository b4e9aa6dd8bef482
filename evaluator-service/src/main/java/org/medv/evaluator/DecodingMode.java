package org.medv.evaluator;

import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.GenerationOptions;

import java.math.BigDecimal;

/**
 * The decoding mode an answer record's options name, in the words of {@code GenerationOptions.modeName()} (libs/model,
 * which this service does not load): {@code exact} for no cache and no threshold, else the cache ({@code none},
 * {@code prefix}, {@code dual}), {@code +t} and the threshold when one is set, {@code /r} and the refresh interval
 * when a cache is refreshed inside blocks: {@code dual}, {@code prefix+t0.9}, {@code none+t0.9}, {@code dual/r8}.
 */
final class DecodingMode {
    private DecodingMode() {
    }

    /** Null for a record without options (nothing says how it was decoded). */
    static String of(AnswerRecord a) {
        return a.hasOptions() ? of(a.getOptions()) : null;
    }

    static String of(GenerationOptions o) {
        String cache = switch (o.getCache()) {
            case CACHE_MODE_PREFIX -> "prefix";
            case CACHE_MODE_DUAL -> "dual";
            default -> "none"; // unspecified: the denoiser resolved no mode, i.e. it ran exact
        };
        double threshold = o.getThreshold();
        if (cache.equals("none") && threshold == 0) {
            return "exact";
        }
        String s = cache;
        if (threshold > 0) {
            s += "+t" + new BigDecimal(Double.toString(threshold)).stripTrailingZeros().toPlainString();
        }
        if (o.getRefreshEvery() > 0 && !cache.equals("none")) {
            s += "/r" + o.getRefreshEvery();
        }
        return s;
    }
}
