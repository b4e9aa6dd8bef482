package org.medv.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticScansTest {

    @Test
    void lesionPixelsDifferFromTheNormalControlAndNothingElseDoes() {
        for (int size : new int[] {64, 96}) {
            SyntheticScans scans = new SyntheticScans(size);
            Random rng = new Random(3);
            int lesionsSeen = 0;
            for (int i = 0; i < 60; i++) {
                Scan scan = scans.sample("s.png", rng);
                Raster with = scans.render(scan).getRaster();
                Raster without = scans.render(scan.withoutLesions()).getRaster();
                for (Lesion l : scan.lesions()) {
                    double diff = meanDifference(with, without, l, 0.6 * l.radius());
                    // bright lesions are brighter than the tissue they cover, dark ones darker, by far
                    assertTrue(l.contrast() == Lesion.Contrast.BRIGHT ? diff > 60 : diff < -40,
                            scan.modality() + " " + l + ": mean difference " + diff);
                    lesionsSeen++;
                }
                assertOnlyLesionsDiffer(with, without, scan.lesions(), size);
            }
            assertTrue(lesionsSeen > 60, "lesions seen: " + lesionsSeen);
        }
    }

    @Test
    void renderingIsDeterministicAndTheSizeIsAsConfigured() {
        SyntheticScans scans = new SyntheticScans(96);
        Scan a = scans.sample("a.png", new Random(9));
        Scan b = scans.sample("a.png", new Random(9));
        assertEquals(a, b);
        BufferedImage ia = scans.render(a);
        BufferedImage ib = scans.render(b);
        assertEquals(96, ia.getWidth());
        assertEquals(96, ia.getHeight());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, ia.getType());
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                assertEquals(ia.getRaster().getSample(x, y, 0), ib.getRaster().getSample(x, y, 0));
            }
        }
    }

    @Test
    void lesionsAreOnePerQuadrantAndSizesAreSeparated() {
        SyntheticScans scans = new SyntheticScans(64);
        Random rng = new Random(11);
        int[] counts = new int[SyntheticScans.MAX_LESIONS + 1];
        for (int i = 0; i < 400; i++) {
            Scan scan = scans.sample("s.png", rng);
            counts[scan.lesionCount()]++;
            long quadrants = scan.lesions().stream().map(l -> l.side() + "/" + l.level()).distinct().count();
            assertEquals(scan.lesionCount(), quadrants);
            for (Lesion l : scan.lesions()) {
                assertEquals(l.side(), Side.ofColumn(l.x(), 64));
                double fraction = l.radius() / 64;
                assertTrue(l.size() == Lesion.Size.SMALL ? fraction <= SyntheticScans.SMALL_MAX
                        : fraction >= SyntheticScans.LARGE_MIN, l.toString());
            }
        }
        for (int c : counts) {
            assertTrue(c > 60, "lesion counts 0..3 roughly uniform: " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void rejectsTinyImages() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticScans(16));
    }

    private static double meanDifference(Raster with, Raster without, Lesion l, double radius) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < with.getHeight(); y++) {
            for (int x = 0; x < with.getWidth(); x++) {
                if (Math.hypot(x + 0.5 - l.x(), y + 0.5 - l.y()) <= radius) {
                    sum += with.getSample(x, y, 0) - without.getSample(x, y, 0);
                    n++;
                }
            }
        }
        assertTrue(n > 0, "no pixel inside " + l);
        return sum / n;
    }

    private static void assertOnlyLesionsDiffer(Raster with, Raster without, List<Lesion> lesions, int size) {
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double px = x + 0.5;
                double py = y + 0.5;
                boolean near = lesions.stream().anyMatch(l -> Math.hypot(px - l.x(), py - l.y()) < l.radius() + 1.5);
                if (!near) {
                    assertEquals(without.getSample(x, y, 0), with.getSample(x, y, 0), "pixel " + x + "," + y);
                }
            }
        }
    }
}
