package org.medv.serving;

import org.junit.jupiter.api.Test;
import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import org.medv.proto.v1.TokenIds;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proto options to the sampler's record: presence decides, the model's defaults fill the rest, and back again. */
class ProtoOptionsTest {
    /** A model that declares everything differently from LLaDA-MedV's 128 / 128 / 128 greedy low-confidence. */
    private static final GenerationOptions MODEL = new GenerationOptions(16, 8, 16, 0.5, 0L, 1.5, Remasking.RANDOM,
            null, null);

    private static org.medv.proto.v1.GenerationOptions.Builder proto() {
        return org.medv.proto.v1.GenerationOptions.newBuilder();
    }

    private static GenerationOptions toModel(org.medv.proto.v1.GenerationOptions.Builder p) {
        return ProtoOptions.toModel(p.build(), MODEL, null);
    }

    @Test
    void unsetFieldsTakeTheModelsDefaults() {
        assertEquals(MODEL, toModel(proto()));
        assertEquals(GenerationOptions.defaults(), ProtoOptions.toModel(proto().build(), GenerationOptions.defaults(),
                null));
    }

    @Test
    void explicitValuesWinAndZeroIsAValue() {
        GenerationOptions o = toModel(proto().setGenLength(32).setTemperature(0).setCfgScale(0).setSeed(7)
                .setRemasking(org.medv.proto.v1.Remasking.REMASKING_LOW_CONFIDENCE));
        assertEquals(32, o.genLength());
        assertEquals(8, o.blockLength(), "the model's block_length where the request gives none");
        assertEquals(16, o.steps());
        assertEquals(0.0, o.temperature(), "an explicit 0 is greedy, not 'unset'");
        assertEquals(0.0, o.cfgScale());
        assertEquals(7L, o.seed());
        assertEquals(Remasking.LOW_CONFIDENCE, o.remasking());
    }

    @Test
    void forbidIdsUnsetKeepTheModelsEmptyForbidNothingSetReplace() {
        assertNull(toModel(proto()).forbiddenIds(), "unset: the model's EOS, BOS and header ids");
        assertEquals(List.of(9), ProtoOptions.toModel(proto().build(), MODEL.withForbidden(List.of(9)), null)
                .forbiddenIds());
        assertEquals(List.of(), toModel(proto().setForbidIds(TokenIds.getDefaultInstance())).forbiddenIds());
        assertEquals(List.of(3, 4), toModel(proto().setForbidIds(TokenIds.newBuilder().addIds(3).addIds(4)))
                .forbiddenIds());
    }

    @Test
    void stopIdsNoStopAndTheModelsStop() {
        assertNull(toModel(proto()).stopSequences());
        assertEquals(List.of(), toModel(proto().setNoStop(true)).stopSequences());
        assertEquals(List.of(List.of(5, 6), List.of(7)), toModel(proto()
                .addStopIds(TokenIds.newBuilder().addIds(5).addIds(6)).addStopIds(TokenIds.newBuilder().addIds(7)))
                .stopSequences());
    }

    @Test
    void invalidValuesNameTheirField() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> toModel(proto().setRemaskingValue(9)));
        assertEquals("remasking", e.field());
        e = assertThrows(InvalidRequestException.class, () -> toModel(proto().addStop("</s>")));
        assertEquals("stop", e.field());
        e = assertThrows(InvalidRequestException.class, () -> toModel(proto().setGenLength(12)));
        assertEquals("block_length", e.field(), "12 is not a multiple of the model's block_length 8");
        assertTrue(e.getMessage().contains("block_length=8"), e.getMessage());
    }

    @Test
    void resolvedSetsEveryDefaultAndRoundTripsUnderAnyDefaults() {
        org.medv.proto.v1.GenerationOptions p = proto().setSteps(8).setNoStop(true)
                .setForbidIds(TokenIds.newBuilder().addIds(2)).build();
        GenerationOptions o = ProtoOptions.toModel(p, MODEL, null);
        org.medv.proto.v1.GenerationOptions r = ProtoOptions.resolved(p, o);
        assertTrue(r.hasGenLength() && r.hasBlockLength() && r.hasSteps() && r.hasTemperature() && r.hasSeed()
                && r.hasCfgScale());
        assertEquals(16, r.getGenLength());
        assertEquals(8, r.getSteps());
        assertEquals(0.5, r.getTemperature());
        assertEquals(org.medv.proto.v1.Remasking.REMASKING_RANDOM, r.getRemasking());
        assertTrue(r.getNoStop());
        assertEquals(List.of(2), r.getForbidIds().getIdsList());
        assertEquals(o, ProtoOptions.toModel(r, GenerationOptions.defaults(), null),
                "the resolved options mean the same under another service's defaults");
    }
}
