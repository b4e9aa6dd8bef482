package org.medv.cli;

import org.junit.jupiter.api.Test;
import org.medv.model.InvalidRequestException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code eval sweep --grid}: lengths and the decoding mode's cache, threshold and refresh axes. */
class SweepGridTest {

    @Test
    void lengthsOnlySendNoModeFlags() {
        List<SweepGrid.Point> points = SweepGrid.parse(List.of("gen=64,128", "block=64"));
        assertEquals(List.of(new SweepGrid.Point(64, 64, 64, null, null, null),
                new SweepGrid.Point(128, 64, 128, null, null, null)), points, "steps=gen by default");
        assertEquals("synth-g64b64s64", points.get(0).runId("synth"));
        assertEquals(List.of("--gen-length", "64", "--block-length", "64", "--steps", "64"), points.get(0).flags());
    }

    @Test
    void decodingAxesMultiplyTheGridInOrder() {
        List<SweepGrid.Point> points = SweepGrid.parse(List.of("gen=64", "block=32", "steps=64", "cache=none,DUAL",
                "threshold=0,0.90", "refresh=8"));
        assertEquals(List.of("none/0/8", "none/0.9/8", "dual/0/8", "dual/0.9/8"),
                points.stream().map(p -> p.cache() + "/" + p.threshold() + "/" + p.refresh()).toList());
        SweepGrid.Point p = points.get(3);
        assertEquals("synth-g64b32s64-cdual-t0.9-r8", p.runId("synth"));
        assertEquals(List.of("--gen-length", "64", "--block-length", "32", "--steps", "64", "--cache", "dual",
                "--threshold", "0.9", "--refresh-every", "8"), p.flags());
        assertEquals("gen=64 block=32 steps=64 cache=dual threshold=0.9 refresh=8", p.toString());
        assertTrue(p.valid());
    }

    @Test
    void invalidCombinationsAreKeptForTheCommandToSkip() {
        List<SweepGrid.Point> points = SweepGrid.parse(List.of("gen=64", "block=32,128", "steps=3"));
        assertFalse(points.get(0).valid(), "3 steps over 2 blocks");
        assertFalse(points.get(1).valid(), "a block longer than the answer");
    }

    @Test
    void badWordsAndValuesAreRefusedNamingTheGrid() {
        for (List<String> grid : List.of(List.of("gen=64", "block=64", "cache=fast"),
                List.of("gen=64", "block=64", "threshold=1.5"), List.of("gen=64", "block=64", "threshold=high"),
                List.of("gen=64", "block=64", "refresh=-1"), List.of("gen=64", "block=0"),
                List.of("gen=64", "block=64", "mode=dual"), List.of("gen=64", "cache=dual"))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> SweepGrid.parse(grid),
                    grid.toString());
            assertEquals("grid", e.field(), grid.toString());
        }
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> SweepGrid.parse(List.of("gen=64", "block=64", "threshold=2")));
        assertEquals("--grid threshold values must be 0 (off) or in (0, 1], got 2", e.getMessage());
        e = assertThrows(InvalidRequestException.class, () -> SweepGrid.parse(List.of("speed=x")));
        assertTrue(e.getMessage().contains("gen=..., block=..., steps=..., cache=..., threshold=..., refresh=..."),
                e.getMessage());
    }
}
