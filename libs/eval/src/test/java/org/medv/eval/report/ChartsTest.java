package org.medv.eval.report;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    private final RunReport report = RunReport.aggregate("r1", ReportFixtures.results());

    @Test
    void accuracyChartIsAPngWithBarsOfBothSeries() throws IOException {
        BufferedImage image = decode(Charts.accuracyPng(report));
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
        assertTrue(contains(image, Plot.PALETTE[0].getRGB()), "closed-accuracy bars");
        assertTrue(contains(image, Plot.PALETTE[1].getRGB()), "open-recall bars");
    }

    @Test
    void judgeChartIsAPng() throws IOException {
        BufferedImage image = decode(Charts.judgePng(report));
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
        assertTrue(contains(image, Plot.PALETTE[0].getRGB()));
    }

    @Test
    void sweepChartIsAPng() throws IOException {
        BufferedImage image = decode(Charts.sweepPng(SweepTableTest.ROWS));
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.SWEEP_HEIGHT, image.getHeight());
        assertTrue(contains(image, Plot.PALETTE[0].getRGB()), "score bars");
    }

    @Test
    void emptyInputsStillGiveImages() throws IOException {
        RunReport empty = RunReport.aggregate("empty", List.of());
        assertEquals(Charts.WIDTH, decode(Charts.accuracyPng(empty)).getWidth());
        assertEquals(Charts.WIDTH, decode(Charts.judgePng(empty)).getWidth());
        assertEquals(Charts.SWEEP_HEIGHT, decode(Charts.sweepPng(List.of())).getHeight());
    }

    @Test
    void lossCurveIsAPngWithTheAverageDrawn() throws IOException {
        List<Double> losses = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            losses.add(4.0 * Math.exp(-i / 100.0) + 0.3 * ((i * 7919) % 13) / 13.0);
        }
        BufferedImage image = decode(Charts.lossPng(losses, "Demo training", "Masked-diffusion loss"));
        assertEquals(Charts.WIDTH, image.getWidth());
        assertTrue(contains(image, Plot.PALETTE[0].getRGB()), "moving average");
        assertEquals(Charts.HEIGHT, decode(Charts.lossPng(List.of(), "none", "loss")).getHeight());
    }

    @Test
    void tickLabelsKeepTheDigitsOfSmallValues() {
        assertEquals("20", Plot.tick(20));
        assertEquals("2.5", Plot.tick(2.5));
        assertEquals("0.02", Plot.tick(0.02));
        assertEquals("0.005", Plot.tick(0.005));
    }

    @Test
    void movingAverageUsesTheLastWindow() {
        assertEquals(List.of(1.0, 1.5, 2.5, 3.5), Charts.movingAverage(List.of(1.0, 2.0, 3.0, 4.0), 2));
        assertEquals(List.of(5.0), Charts.movingAverage(List.of(5.0), 3));
    }

    @Test
    void niceAxisMaxima() {
        assertEquals(100, Plot.niceMax(100), 1e-9);
        assertEquals(200, Plot.niceMax(130), 1e-9);
        assertEquals(250, Plot.niceMax(201), 1e-9);
        assertEquals(5000, Plot.niceMax(4312), 1e-9);
        assertEquals(1, Plot.niceMax(0), 1e-9);
    }

    private static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "not a PNG");
        return image;
    }

    private static boolean contains(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff)) {
                    return true;
                }
            }
        }
        return false;
    }
}
