package org.medv.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Seeded, scan-like grayscale images with known findings: a CT, X-ray or MRI look (see {@link Modality}) and 0 to 3
 * round lesions, at most one per image quadrant so that lesions never overlap and each one's side and level are
 * unambiguous. Sides follow {@link Side}: the patient's left is the image's right half.
 *
 * <p>{@link #sample} draws the findings (the metadata), {@link #render} draws the pixels from them; rendering uses
 * only the scan's {@code textureSeed}, so a scan redrawn {@linkplain Scan#withoutLesions() without lesions} differs
 * exactly where the lesions are.
 */
public final class SyntheticScans {
    public static final int DEFAULT_SIZE = 64;
    public static final int MAX_LESIONS = 3;

    // Lesion centres sit at (0.5 -/+ SIDE_OFFSET, 0.5 -/+ LEVEL_OFFSET) of the side, moved by up to JITTER. With the
    // radii below a lesion stays inside its quadrant (0.38 + 0.015 + 0.10 < 0.5) and inside the lung or hemisphere.
    static final double SIDE_OFFSET = 0.20;
    static final double LEVEL_OFFSET = 0.12;
    static final double JITTER = 0.015;
    static final double SMALL_MIN = 0.040;
    static final double SMALL_MAX = 0.055;
    static final double LARGE_MIN = 0.085;
    static final double LARGE_MAX = 0.100;
    /** Lesion grey levels: far from every tissue a lesion can sit on (lungs 60..100, brain 95..135). */
    static final double BRIGHT = 230;
    static final double DARK = 10;

    private final int size;

    public SyntheticScans(int size) {
        if (size < 32) {
            throw new IllegalArgumentException("image size must be at least 32 px, got " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** The findings of one scan: modality, 0..3 lesions (uniform), each in its own quadrant. */
    public Scan sample(String image, Random rng) {
        Modality modality = Modality.values()[rng.nextInt(Modality.values().length)];
        int count = rng.nextInt(MAX_LESIONS + 1);
        List<Integer> quadrants = new ArrayList<>(List.of(0, 1, 2, 3));
        Collections.shuffle(quadrants, rng);
        List<Lesion> lesions = new ArrayList<>(count);
        for (int q : quadrants.subList(0, count)) {
            lesions.add(lesion(q % 2 == 0 ? Side.LEFT : Side.RIGHT,
                    q < 2 ? Lesion.Level.UPPER : Lesion.Level.LOWER, rng));
        }
        // reading order (top to bottom, then image left to right) so metadata does not depend on the shuffle
        lesions.sort((a, b) -> a.level() != b.level() ? a.level().compareTo(b.level()) : Double.compare(a.x(), b.x()));
        return new Scan(image, modality, size, rng.nextLong(), lesions);
    }

    private Lesion lesion(Side side, Lesion.Level level, Random rng) {
        Lesion.Size lesionSize = rng.nextBoolean() ? Lesion.Size.SMALL : Lesion.Size.LARGE;
        Lesion.Contrast contrast = rng.nextBoolean() ? Lesion.Contrast.BRIGHT : Lesion.Contrast.DARK;
        double cx = 0.5 + (side.onImageRight() ? SIDE_OFFSET : -SIDE_OFFSET) + jitter(rng);
        double cy = 0.5 + (level == Lesion.Level.UPPER ? -LEVEL_OFFSET : LEVEL_OFFSET) + jitter(rng);
        double radius = lesionSize == Lesion.Size.SMALL
                ? SMALL_MIN + rng.nextDouble() * (SMALL_MAX - SMALL_MIN)
                : LARGE_MIN + rng.nextDouble() * (LARGE_MAX - LARGE_MIN);
        return new Lesion(side, level, lesionSize, contrast, cx * size, cy * size, radius * size);
    }

    private static double jitter(Random rng) {
        return (rng.nextDouble() * 2 - 1) * JITTER;
    }

    /** The pixels of a scan: anatomy, then lesions, then texture and noise from {@code scan.textureSeed()}. */
    public BufferedImage render(Scan scan) {
        Canvas c = new Canvas(scan.size());
        Random texture = new Random(scan.textureSeed());
        switch (scan.modality()) {
            case CT -> drawCt(c);
            case XRAY -> drawXray(c);
            case MRI -> drawMri(c, texture);
        }
        int n = scan.size();
        for (Lesion l : scan.lesions()) {
            double value = l.contrast() == Lesion.Contrast.BRIGHT ? BRIGHT : DARK;
            double r = l.radius() / n;
            c.ellipse(l.x() / n, l.y() / n, r, r, (rr, y) -> value - 12 * rr * rr * Math.signum(value - 128), 0.8);
        }
        switch (scan.modality()) {
            case CT -> texture(c, texture, 0.05, 5);
            case XRAY -> texture(c, texture, 0.04, 4);
            case MRI -> texture(c, texture, 0.06, 7);
        }
        return c.toImage();
    }

    private static void texture(Canvas c, Random rng, double amplitude, double sigma) {
        c.modulate(rng, 4, amplitude);
        c.noise(rng, sigma);
    }

    /** Axial chest CT: air, round body brighter at the rim, dark lungs, heart, bright vertebra. */
    private static void drawCt(Canvas c) {
        c.fill(6);
        c.ellipse(0.5, 0.52, 0.46, 0.40, (r, y) -> 95 + 45 * r * r, 1.5);
        for (double x : new double[] {0.5 - SIDE_OFFSET, 0.5 + SIDE_OFFSET}) {
            c.ellipse(x, 0.5, 0.15, 0.25, (r, y) -> 62 + 16 * r, 1.2);
        }
        c.ellipse(0.5, 0.55, 0.065, 0.12, 135, 1.5);
        c.ellipse(0.5, 0.80, 0.055, 0.055, 215, 1.0);
    }

    /** Frontal chest X-ray: soft tissue brighter towards the abdomen, dark lungs with faint ribs, bright spine. */
    private static void drawXray(Canvas c) {
        c.fill(25);
        c.ellipse(0.5, 0.55, 0.52, 0.58, (r, y) -> 140 + 50 * y, 3);
        for (double x : new double[] {0.5 - SIDE_OFFSET, 0.5 + SIDE_OFFSET}) {
            c.ellipse(x, 0.48, 0.15, 0.30, (r, y) -> 78 + 14 * r + 10 * Math.max(0, StrictMath.sin(y * 70)), 2);
        }
        c.ellipse(0.5, 0.5, 0.05, 0.5, 200, 2);
        c.ellipse(0.52, 0.66, 0.085, 0.10, 185, 2);
    }

    /** Axial brain MRI: skull ring, CSF rim, folded cortex texture, dark ventricles and midline. */
    private static void drawMri(Canvas c, Random rng) {
        c.fill(4);
        c.ellipse(0.5, 0.5, 0.43, 0.48, 190, 1);
        c.ellipse(0.5, 0.5, 0.40, 0.45, 35, 1);
        double f1 = 25 + rng.nextDouble() * 10;
        double f2 = 15 + rng.nextDouble() * 10;
        double phase = rng.nextDouble() * 2 * Math.PI;
        c.ellipse(0.5, 0.5, 0.38, 0.43, (r, y) -> 115 + 18 * StrictMath.sin(f1 * r + 2 * StrictMath.sin(f2 * y) + phase),
                1.2);
        c.ellipse(0.46, 0.5, 0.03, 0.09, 40, 1);
        c.ellipse(0.54, 0.5, 0.03, 0.09, 40, 1);
        c.ellipse(0.5, 0.5, 0.008, 0.40, 45, 0.7);
    }
}
