package org.medv.serving;

import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import org.medv.model.text.TextTokenizer;
import org.medv.proto.v1.TokenIds;

import java.util.ArrayList;
import java.util.List;

/**
 * Proto {@code GenerationOptions} to the sampler's record: unset fields take {@code defaults}; stop strings are
 * tokenized without special tokens as upstream does ({@code "<|eot_id|>"} becomes {@code [126348]}). Invalid values
 * throw {@link InvalidRequestException} naming the field.
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
            case REMASKING_UNSPECIFIED, REMASKING_LOW_CONFIDENCE -> Remasking.LOW_CONFIDENCE;
            case REMASKING_RANDOM -> Remasking.RANDOM;
            default -> throw new InvalidRequestException("remasking", "remasking must be low_confidence or random, got "
                    + p.getRemaskingValue());
        };
        return new GenerationOptions(
                p.hasGenLength() ? p.getGenLength() : defaults.genLength(),
                p.hasBlockLength() ? p.getBlockLength() : defaults.blockLength(),
                p.hasSteps() ? p.getSteps() : defaults.steps(),
                p.hasTemperature() ? p.getTemperature() : defaults.temperature(),
                p.hasSeed() ? p.getSeed() : defaults.seed(),
                p.hasCfgScale() ? p.getCfgScale() : defaults.cfgScale(),
                remasking,
                defaults.forbiddenIds(),
                stops != null ? stops : defaults.stopSequences());
    }
}
