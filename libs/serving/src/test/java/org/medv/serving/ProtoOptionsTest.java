package org.medv.serving;

import org.junit.jupiter.api.Test;
import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.CacheMode;
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

    @Test
    void decodingModeUnsetTakesTheModelsSetIsCarriedAndResolvedBack() {
        GenerationOptions dualModel = GenerationOptions.defaults().withDecoding(CacheMode.DUAL, 0.9, 4);
        GenerationOptions o = ProtoOptions.toModel(proto().build(), dualModel, null);
        assertEquals(CacheMode.DUAL, o.cache());
        assertEquals(0.9, o.threshold());
        assertEquals(4, o.refreshEvery());

        o = ProtoOptions.toModel(proto().setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX).setThreshold(0)
                .setRefreshEvery(0).build(), dualModel, null);
        assertEquals(List.of(CacheMode.PREFIX, 0.0, 0), List.of(o.cache(), o.threshold(), o.refreshEvery()),
                "explicit values win, 0 included");

        org.medv.proto.v1.GenerationOptions r = ProtoOptions.resolved(proto().build(), dualModel);
        assertEquals(org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL, r.getCache());
        assertTrue(r.hasThreshold() && r.hasRefreshEvery());
        assertEquals(0.9, r.getThreshold());
        assertEquals(4, r.getRefreshEvery());
        assertEquals(dualModel, ProtoOptions.toModel(r, GenerationOptions.defaults(), null));
    }

    @Test
    void decodingModeRefusalsNameTheField() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> toModel(proto().setCacheValue(9)));
        assertEquals("cache", e.field());
        e = assertThrows(InvalidRequestException.class, () -> ProtoOptions.toModel(proto().setThreshold(1.5).build(),
                GenerationOptions.defaults(), null));
        assertEquals("threshold", e.field());
        assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        e = assertThrows(InvalidRequestException.class, () -> toModel(proto().setThreshold(0.9)));
        assertEquals("threshold", e.field(), "the model's remasking is random");
        e = assertThrows(InvalidRequestException.class, () -> toModel(proto().setRefreshEvery(-1)));
        assertEquals("refresh_every", e.field());
    }

    @Test
    void modeNameOfResolvedOptions() {
        assertEquals("exact", ProtoOptions.modeName(proto().build()));
        assertEquals("exact", ProtoOptions.modeName(proto().setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_NONE)
                .setThreshold(0).setRefreshEvery(8).build()));
        assertEquals("dual", ProtoOptions.modeName(proto().setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL)
                .build()));
        assertEquals("prefix+t0.9", ProtoOptions.modeName(proto()
                .setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX).setThreshold(0.9).build()));
        assertEquals("none+t0.75", ProtoOptions.modeName(proto().setThreshold(0.75).build()));
        assertEquals("dual/r8", ProtoOptions.modeName(proto().setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL)
                .setRefreshEvery(8).build()));
    }
}
