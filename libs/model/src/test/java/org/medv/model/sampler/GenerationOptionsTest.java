package org.medv.model.sampler;

import org.medv.model.EngineTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.medv.model.InvalidRequestException;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.sampler.ScriptedPredictor.peak;
import static org.medv.model.sampler.ScriptedPredictor.plain;

/** Invalid options are rejected before any forward, naming the field and quoting the values. */
class GenerationOptionsTest extends EngineTest {

    private static GenerationOptions opts(int gen, int block, int steps, double temperature, double cfg) {
        return new GenerationOptions(gen, block, steps, temperature, 0L, cfg, Remasking.LOW_CONFIDENCE, null, null);
    }

    private static void rejected(String field, Executable call, String... quoted) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, call);
        assertEquals(field, e.field(), e.getMessage());
        for (String q : quoted) {
            assertTrue(e.getMessage().contains(q), "message should quote " + q + ": " + e.getMessage());
        }
    }

    @Test
    void defaultsAreTheDemoSettings() {
        GenerationOptions d = GenerationOptions.defaults();
        assertEquals(128, d.genLength());
        assertEquals(1, d.numBlocks());
        assertEquals(128, d.stepsPerBlock());
        assertEquals(null, d.forbiddenIds());
        assertEquals(null, d.stopSequences());
        GenerationOptions semiAr = opts(128, 32, 64, 0, 0);
        assertEquals(4, semiAr.numBlocks());
        assertEquals(16, semiAr.stepsPerBlock());
    }

    @Test
    void genLengthMustBeAMultipleOfBlockLength() {
        rejected("block_length", () -> opts(10, 4, 10, 0, 0), "gen_length=10", "block_length=4");
    }

    @Test
    void stepsMustBeAMultipleOfTheBlockCount() {
        rejected("steps", () -> opts(12, 4, 5, 0, 0), "steps=5", "gen_length=12", "block_length=4", "= 3");
    }

    @Test
    void nonPositiveLengthsAndStepsAreRejected() {
        rejected("gen_length", () -> opts(0, 4, 4, 0, 0), "got 0");
        rejected("gen_length", () -> opts(-8, 4, 4, 0, 0), "got -8");
        rejected("block_length", () -> opts(8, 0, 4, 0, 0), "got 0");
        rejected("block_length", () -> opts(8, -4, 4, 0, 0), "got -4");
        rejected("steps", () -> opts(8, 4, 0, 0, 0), "got 0");
        rejected("steps", () -> opts(8, 4, -2, 0, 0), "got -2");
    }

    @Test
    void temperatureMustBeFiniteAndNonNegative() {
        rejected("temperature", () -> opts(8, 8, 8, -0.5, 0), "-0.5");
        rejected("temperature", () -> opts(8, 8, 8, Double.NaN, 0), "NaN");
        rejected("temperature", () -> opts(8, 8, 8, Double.POSITIVE_INFINITY, 0), "Infinity");
    }

    @Test
    void cfgScaleMustBeFiniteAndNonNegative() {
        rejected("cfg_scale", () -> opts(8, 8, 8, 0, -1.0), "-1.0");
        rejected("cfg_scale", () -> opts(8, 8, 8, 0, Double.NaN), "NaN");
    }

    @Test
    void remaskingIsRequired() {
        rejected("remasking", () -> new GenerationOptions(8, 8, 8, 0, 0, 0, null, null, null));
    }

    @Test
    void emptyStopSequencesAreRejected() {
        rejected("stop", () -> plain(8, 8, 8).withStops(List.of(List.of(6), List.of())));
        List<List<Integer>> withNull = new ArrayList<>();
        withNull.add(null);
        rejected("stop", () -> plain(8, 8, 8).withStops(withNull));
    }

    @Test
    void listsAreCopied() {
        List<Integer> forbidden = new ArrayList<>(List.of(9));
        List<Integer> stop = new ArrayList<>(List.of(6));
        GenerationOptions o = plain(8, 8, 8).withForbidden(forbidden).withStops(List.of(stop));
        forbidden.add(10);
        stop.add(5);
        assertEquals(List.of(9), o.forbiddenIds());
        assertEquals(List.of(List.of(6)), o.stopSequences());
    }

    private static ScriptedPredictor anyModel(int maxPositions) {
        return new ScriptedPredictor((row, ids, pos) -> peak(1, 1f), maxPositions);
    }

    @Test
    void forbiddenIdsOutsideTheVocabularyAreRejected() {
        ScriptedPredictor fake = anyModel(Integer.MAX_VALUE);
        rejected("forbid_ids", () -> fake.generate(manager, plain(4, 4, 4).withForbidden(List.of(2, 12)),
                StepListener.NONE), "12", "[0, 12)");
        rejected("forbid_ids", () -> fake.generate(manager, plain(4, 4, 4).withForbidden(List.of(-1)),
                StepListener.NONE), "-1");
        assertEquals(0, fake.forwards.size(), "no forward for a rejected request");
    }

    @Test
    void checkTokenIdsNamesTheFieldAndTheVocabularyWithoutAModel() {
        rejected("forbid_ids", () -> plain(4, 4, 4).withForbidden(List.of(3, 12)).checkTokenIds(12, 11),
                "forbid_ids", "12", "vocabulary of 12 ids");
        rejected("stop_ids", () -> plain(4, 4, 4).withStops(List.of(List.of(11))).checkTokenIds(12, 11),
                "mask id 11");
        plain(4, 4, 4).withForbidden(List.of()).checkTokenIds(12, 11);
        plain(4, 4, 4).checkTokenIds(12, 11); // null: the model's defaults, resolved (and checked) by the sampler
    }

    @Test
    void stopIdsOutsideTheVocabularyOrEqualToTheMaskAreRejected() {
        ScriptedPredictor fake = anyModel(Integer.MAX_VALUE);
        rejected("stop_ids", () -> fake.generate(manager, plain(4, 4, 4).withStops(List.of(List.of(6, 12))),
                StepListener.NONE), "12", "[0, 12)");
        rejected("stop_ids", () -> fake.generate(manager, plain(4, 4, 4).withStops(List.of(List.of(-3))),
                StepListener.NONE), "-3");
        rejected("stop_ids", () -> fake.generate(manager, plain(4, 4, 4).withStops(List.of(List.of(6), List.of(11))),
                StepListener.NONE), "stop token id 11", "mask id 11");
        assertEquals(0, fake.forwards.size());
    }

    @Test
    void promptPlusGenLengthMustFitTheModel() {
        // prompt of 4 positions + 8 = 12 > 11
        ScriptedPredictor small = anyModel(11);
        rejected("gen_length", () -> small.generate(manager, plain(8, 8, 8), StepListener.NONE),
                "prompt (4 positions)", "gen_length=8", "is 12", "11 positions");
        assertEquals(0, small.forwards.size());
        // exactly the limit is fine
        ScriptedPredictor exact = anyModel(12);
        GenerationResult r = exact.generate(manager, plain(8, 8, 8), StepListener.NONE);
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }
}
