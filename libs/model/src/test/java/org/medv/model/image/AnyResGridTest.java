package org.medv.model.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The anyres arithmetic against LLaVA-NeXT's own Python functions, run on the real LLaDA-V pinpoints. */
class AnyResGridTest {
    private static final int CROP = 384;

    /**
     * {image w, image h, best w, best h, fitted w, fitted h}, printed by {@code select_best_resolution} and the size
     * logic of {@code resize_and_pad_image} from LLaVA-NeXT {@code llava/mm_utils.py} (CPython) for the pinpoints
     * {@code (1x1),...,(6x6)} of 384; the last rows are random sizes.
     */
    private static final int[][] REFERENCE = {
        {384, 384, 384, 384, 384, 384},
        {1, 1, 384, 384, 384, 384},
        {1, 5000, 384, 384, 1, 384},
        {5000, 1, 384, 384, 384, 1},
        {385, 383, 768, 384, 387, 384},
        {1000, 500, 1152, 768, 1152, 576},
        {500, 1000, 768, 1152, 576, 1152},
        {2304, 2304, 2304, 2304, 2304, 2304},
        {4000, 3000, 2304, 1920, 2304, 1728},
        {333, 777, 384, 1152, 384, 896},
        {640, 480, 768, 768, 768, 576},
        {1920, 1080, 1920, 1152, 1920, 1080},
        {768, 384, 768, 384, 768, 384},
        {700, 701, 768, 768, 767, 768},
        {975, 2428, 1152, 2304, 926, 2304},
        {2230, 535, 2304, 768, 2304, 553},
        {1516, 2474, 1536, 2304, 1412, 2304},
        {1942, 2563, 1920, 2304, 1746, 2304},
        {2380, 269, 2304, 384, 2304, 261},
        {2481, 54, 2304, 384, 2304, 51},
        {1922, 1063, 2304, 1152, 2083, 1152},
        {2257, 960, 2304, 1152, 2304, 980},
        {786, 2938, 768, 2304, 617, 2304},
        {1927, 2216, 2304, 2304, 2004, 2304},
        {2252, 1952, 2304, 2304, 2304, 1998},
        {1627, 2618, 1536, 2304, 1432, 2304},
        {617, 950, 768, 1152, 749, 1152},
        {2601, 622, 2304, 768, 2304, 551},
        {2143, 1598, 2304, 1920, 2304, 1719},
        {63, 2751, 384, 2304, 53, 2304},
    };

    private static List<int[]> llavaVPinpoints() {
        List<int[]> out = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            for (int j = 1; j <= 6; j++) {
                out.add(new int[] {i * CROP, j * CROP});
            }
        }
        return out;
    }

    @Test
    void matchesUpstreamSelectionAndFit() {
        for (int[] r : REFERENCE) {
            AnyResGrid grid = AnyResGrid.select(r[0], r[1], llavaVPinpoints(), CROP);
            String what = r[0] + "x" + r[1];
            assertEquals(r[2], grid.width(), what);
            assertEquals(r[3], grid.height(), what);
            assertEquals(r[2] / CROP, grid.columns(), what);
            assertEquals(r[3] / CROP, grid.rows(), what);
            assertArrayEquals(new int[] {r[4], r[5]}, grid.fittedSize(r[0], r[1]), what);
        }
    }

    @Test
    void tieKeepsTheFirstLeastWastefulPinpoint() {
        // every pinpoint holds a 10x10 image whole; the smallest canvas wastes least
        AnyResGrid grid = AnyResGrid.select(10, 10, List.of(new int[] {8, 16}, new int[] {16, 16},
                new int[] {16, 8}, new int[] {32, 32}), 8);
        assertEquals(16, grid.width());
        assertEquals(16, grid.height());
    }

    @Test
    void resizeAndPadCentresOnBlackAndTilesRowMajor() {
        // 4x2 white image onto a 4x4 canvas (2x2 tiles of 2): fitted 4x2, pasted at y = 1
        AnyResGrid grid = new AnyResGrid(4, 4, 2);
        RgbImage canvas = grid.resizeAndPad(RgbImage.filled(4, 2, 255, 255, 255));
        assertEquals(0, canvas.sample(0, 0, 0));
        assertEquals(255, canvas.sample(0, 1, 0));
        assertEquals(255, canvas.sample(3, 2, 2));
        assertEquals(0, canvas.sample(3, 3, 1));
        RgbImage marked = canvas.pasted(RgbImage.filled(1, 1, 1, 2, 3), 2, 0);
        List<RgbImage> tiles = grid.tiles(marked);
        assertEquals(4, tiles.size());
        // tile 1 is the top-right one
        assertEquals(1, tiles.get(1).sample(0, 0, 0));
        // tile 2 is the bottom-left one: canvas rows 2 (image) and 3 (padding)
        assertEquals(255, tiles.get(2).sample(0, 0, 0));
        assertEquals(0, tiles.get(2).sample(0, 1, 0));
    }

    @Test
    void resolutionMustBeWholeTiles() {
        assertThrows(IllegalArgumentException.class, () -> new AnyResGrid(100, 384, 384));
    }
}
