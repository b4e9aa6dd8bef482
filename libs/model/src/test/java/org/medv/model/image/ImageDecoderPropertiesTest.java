package org.medv.model.image;

import org.junit.jupiter.api.Test;
import org.medv.model.InvalidRequestException;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * Property-based tests of the image decoder with hostile bytes (QuickTheories, fixed seeds, shrinking to a small
 * case on failure): random bytes, valid PNGs and JPEGs with random edits, and headers that declare huge images
 * within the pixel limit over a few bytes of data. Whatever the bytes, the decoder returns a consistent image or
 * throws {@link InvalidRequestException} on field {@code image}; it never throws anything else, and a huge header
 * over little data is refused before the pixel buffers are allocated (measured with the thread's allocation count).
 */
class ImageDecoderPropertiesTest {
    /** 20000 x 20000: a limit far above what anyone needs, so that the header sizes below are all "in limit". */
    private static final long LIMIT = 20_000L * 20_000L;
    private static final ImageDecoder DECODER = new ImageDecoder(LIMIT);
    /** What refusing a header may cost at most: far below even one 20000x20000 gray raster (400 MB). */
    private static final long MAX_ALLOCATED = 64L << 20;

    private static final List<byte[]> PNGS = List.of(
            png(PngBytes.GRAY, 8, 1, 13, 9),
            png(PngBytes.RGB, 8, 3, 7, 5),
            png(PngBytes.RGBA, 16, 8, 4, 6),
            png(PngBytes.GRAY_ALPHA, 8, 2, 9, 3),
            new PngBytes(3, 2, 2, PngBytes.PALETTE).chunk("PLTE", PngBytes.bytes(0, 0, 0, 255, 0, 0, 0, 255, 0))
                    .finish(new byte[][] {{0b00011000}, {(byte) 0b10010000}}));
    private static final List<byte[]> JPEGS = List.of(jpeg(BufferedImage.TYPE_3BYTE_BGR, 24, 17),
            jpeg(BufferedImage.TYPE_BYTE_GRAY, 9, 31));

    @Test
    void theValidSeedsDecode() {
        PNGS.forEach(DECODER::decode);
        JPEGS.forEach(DECODER::decode);
    }

    @Test
    void randomBytesAreAnImageOrAnImageError() {
        Gen<byte[]> random = in -> {
            byte[] b = randomBytes(in, (int) in.next(Constraint.between(0, 2048)));
            switch (pick(in, 3)) {
                case 0 -> System.arraycopy(PNGS.get(0), 0, b, 0, Math.min(8, b.length));
                case 1 -> System.arraycopy(JPEGS.get(0), 0, b, 0, Math.min(2, b.length));
                default -> {
                }
            }
            return b;
        };
        qt().withFixedSeed(131).withExamples(1500).withShrinkCycles(50).forAll(shown(random))
                .checkAssert(b -> decodesOrRefuses(b.bytes()));
    }

    @Test
    void mutatedPngsAreAnImageOrAnImageError() {
        qt().withFixedSeed(137).withExamples(2000).withShrinkCycles(50).forAll(shown(mutated(PNGS)))
                .checkAssert(b -> decodesOrRefuses(b.bytes()));
    }

    @Test
    void mutatedJpegsAreAnImageOrAnImageError() {
        qt().withFixedSeed(139).withExamples(2000).withShrinkCycles(50).forAll(shown(mutated(JPEGS)))
                .checkAssert(b -> decodesOrRefuses(b.bytes()));
    }

    @Test
    void aHugePngHeaderOverLittleDataIsRefusedWithoutAllocatingItsPixels() {
        Gen<byte[]> huge = in -> {
            int w = (int) in.next(Constraint.between(2_000, 20_000));
            int h = (int) in.next(Constraint.between(2_000, (int) Math.min(20_000, LIMIT / w)));
            int[][] layouts = {{PngBytes.GRAY, 8}, {PngBytes.GRAY, 16}, {PngBytes.RGB, 8}, {PngBytes.RGBA, 16},
                    {PngBytes.GRAY_ALPHA, 8}, {PngBytes.GRAY, 1}};
            int[] layout = layouts[pick(in, layouts.length)];
            byte[][] rows = new byte[(int) in.next(Constraint.between(0, 3))][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = randomBytes(in, (int) in.next(Constraint.between(0, 64)));
            }
            return new PngBytes(w, h, layout[1], layout[0]).finish(rows);
        };
        qt().withFixedSeed(149).withExamples(40).withShrinkCycles(10).forAll(shown(huge))
                .checkAssert(b -> refusedCheaply(b.bytes()));
    }

    @Test
    void aHugeJpegHeaderOverLittleDataIsRefusedWithoutAllocatingItsPixels() {
        Gen<byte[]> huge = in -> {
            byte[] b = JPEGS.get(pick(in, JPEGS.size())).clone();
            int w = (int) in.next(Constraint.between(2_000, 20_000));
            int h = (int) in.next(Constraint.between(2_000, (int) Math.min(20_000, LIMIT / w)));
            int sof = sofOffset(b);
            b[sof + 5] = (byte) (h >> 8);
            b[sof + 6] = (byte) h;
            b[sof + 7] = (byte) (w >> 8);
            b[sof + 8] = (byte) w;
            return b;
        };
        qt().withFixedSeed(151).withExamples(40).withShrinkCycles(10).forAll(shown(huge))
                .checkAssert(b -> refusedCheaply(b.bytes()));
    }

    @Test
    void theTwentyThousandSquarePngHeaderNamesTheMissingData() {
        byte[] b = new PngBytes(20_000, 20_000, 8, PngBytes.GRAY).finish(new byte[][] {{1, 2, 3}});
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> DECODER.decode(b));
        assertEquals("image", e.field());
        assertTrue(e.getMessage().contains("20000x20000") && e.getMessage().contains("truncated"), e.getMessage());
    }

    /** Generated bytes that print as their length and leading bytes when a property fails. */
    record Shown(byte[] bytes) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(bytes.length + " bytes:");
            for (int i = 0; i < Math.min(bytes.length, 96); i++) {
                b.append(String.format(" %02x", bytes[i] & 0xff));
            }
            return b.append(bytes.length > 96 ? " ..." : "").toString();
        }
    }

    private static Gen<Shown> shown(Gen<byte[]> gen) {
        return gen.map(Shown::new);
    }

    /** The decoder's contract for any bytes: a consistent image, or an image error with a message. */
    private static void decodesOrRefuses(byte[] bytes) {
        RgbImage img;
        try {
            img = DECODER.decode(bytes);
        } catch (InvalidRequestException e) {
            assertEquals("image", e.field());
            assertFalse(e.getMessage() == null || e.getMessage().isBlank());
            return;
        }
        assertTrue(img.width() > 0 && img.height() > 0);
        assertEquals((long) img.width() * img.height() * 3, img.rgb().length);
    }

    private static void refusedCheaply(byte[] bytes) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> DECODER.decode(bytes));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals("image", e.field());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(allocated < MAX_ALLOCATED, "refusing a header allocated " + allocated + " bytes");
    }

    /** A seed file with 1 to 8 random edits: byte flips and overwrites, insertions, deletions, a truncation. */
    private static Gen<byte[]> mutated(List<byte[]> seeds) {
        return in -> {
            byte[] b = seeds.get(pick(in, seeds.size())).clone();
            int edits = (int) in.next(Constraint.between(1, 8));
            for (int i = 0; i < edits && b.length > 0; i++) {
                int at = pick(in, b.length);
                switch (pick(in, 5)) {
                    case 0 -> b[at] ^= (byte) (1 << pick(in, 8));
                    case 1 -> b[at] = (byte) in.next(Constraint.between(0, 255));
                    case 2 -> {
                        byte[] extra = randomBytes(in, (int) in.next(Constraint.between(1, 16)));
                        byte[] n = new byte[b.length + extra.length];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(extra, 0, n, at, extra.length);
                        System.arraycopy(b, at, n, at + extra.length, b.length - at);
                        b = n;
                    }
                    case 3 -> {
                        int len = Math.min(b.length - at, (int) in.next(Constraint.between(1, 32)));
                        byte[] n = new byte[b.length - len];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(b, at + len, n, at, b.length - at - len);
                        b = n;
                    }
                    default -> b = Arrays.copyOf(b, at);
                }
            }
            return b;
        };
    }

    private static byte[] randomBytes(RandomnessSource in, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) in.next(Constraint.between(0, 255));
        }
        return b;
    }

    private static byte[] png(int colourType, int bitDepth, int bytesPerPixel, int w, int h) {
        Random r = new Random(w * 31L + h);
        byte[][] rows = new byte[h][w * bytesPerPixel];
        for (byte[] row : rows) {
            r.nextBytes(row);
        }
        return new PngBytes(w, h, bitDepth, colourType).finish(rows);
    }

    private static byte[] jpeg(int type, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(w * 7L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpeg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Where the frame header (SOF0, FF C0) starts in a baseline JPEG. */
    private static int sofOffset(byte[] b) {
        for (int i = 2; i + 1 < b.length; ) {
            if ((b[i] & 0xff) != 0xff) {
                throw new IllegalStateException("not at a marker at " + i);
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xc0) {
                return i;
            }
            i += 2 + (((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff));
        }
        throw new IllegalStateException("no SOF0 marker");
    }

    /** A draw in 0..n-1 from the QuickTheories randomness source, so that failures shrink through it. */
    private static int pick(RandomnessSource in, int n) {
        return (int) in.next(Constraint.between(0, n - 1));
    }
}
