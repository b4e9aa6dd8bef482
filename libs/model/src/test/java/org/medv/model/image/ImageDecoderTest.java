package org.medv.model.image;

import org.junit.jupiter.api.Test;
import org.medv.model.Golden;
import org.medv.model.InvalidRequestException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNG layouts decode as Pillow's {@code Image.open(f).convert("RGB")} does; bad input fails on field "image". */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(1_000_000);

    @Test
    void grayIsReplicated() {
        byte[] png = new PngBytes(2, 1, 8, PngBytes.GRAY).finish(new byte[][] {PngBytes.bytes(7, 200)});
        assertPixels(png, 7, 7, 7, 200, 200, 200);
    }

    @Test
    void grayWithTransparencyKeyIgnoresIt() {
        byte[] png = new PngBytes(2, 1, 8, PngBytes.GRAY).chunk("tRNS", PngBytes.shorts(7))
                .finish(new byte[][] {PngBytes.bytes(7, 200)});
        assertPixels(png, 7, 7, 7, 200, 200, 200);
    }

    @Test
    void subByteGrayIsScaledTo255() {
        // 2-bit samples 0,1,2,3 packed in one byte; Pillow's L;2 unpacker multiplies by 0x55
        byte[] png = new PngBytes(4, 1, 2, PngBytes.GRAY).finish(new byte[][] {PngBytes.bytes(0b00_01_10_11)});
        assertPixels(png, 0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255);
    }

    @Test
    void grayAlphaDropsAlpha() {
        byte[] png = new PngBytes(2, 1, 8, PngBytes.GRAY_ALPHA).finish(new byte[][] {PngBytes.bytes(90, 0, 30, 128)});
        assertPixels(png, 90, 90, 90, 30, 30, 30);
    }

    @Test
    void rgbaDropsAlphaWithoutCompositing() {
        byte[] png = new PngBytes(2, 1, 8, PngBytes.RGBA)
                .finish(new byte[][] {PngBytes.bytes(10, 20, 30, 0, 250, 128, 1, 77)});
        assertPixels(png, 10, 20, 30, 250, 128, 1);
    }

    @Test
    void paletteIsLookedUpAndItsAlphaDropped() {
        byte[] png = new PngBytes(3, 1, 8, PngBytes.PALETTE)
                .chunk("PLTE", PngBytes.bytes(255, 0, 0, 0, 255, 0, 12, 34, 56))
                .chunk("tRNS", PngBytes.bytes(0, 128))
                .finish(new byte[][] {PngBytes.bytes(2, 0, 1)});
        assertPixels(png, 12, 34, 56, 255, 0, 0, 0, 255, 0);
    }

    @Test
    void sixteenBitGrayIsClippedTo255() {
        // Pillow opens it as mode I;16, and I16_RGB (Convert.c) clips instead of scaling
        byte[] png = new PngBytes(4, 1, 16, PngBytes.GRAY).finish(new byte[][] {PngBytes.shorts(0, 100, 256, 65535)});
        assertPixels(png, 0, 0, 0, 100, 100, 100, 255, 255, 255, 255, 255, 255);
    }

    @Test
    void sixteenBitGrayWithTransparencyKeyIsStillClipped() {
        byte[] png = new PngBytes(2, 1, 16, PngBytes.GRAY).chunk("tRNS", PngBytes.shorts(100))
                .finish(new byte[][] {PngBytes.shorts(100, 4000)});
        assertPixels(png, 100, 100, 100, 255, 255, 255);
    }

    @Test
    void sixteenBitGrayAlphaKeepsHighByte() {
        byte[] png = new PngBytes(1, 1, 16, PngBytes.GRAY_ALPHA).finish(new byte[][] {PngBytes.shorts(0x12ff, 0)});
        assertPixels(png, 0x12, 0x12, 0x12);
    }

    @Test
    void sixteenBitRgbAndRgbaKeepHighByte() {
        byte[] rgb = new PngBytes(1, 1, 16, PngBytes.RGB)
                .finish(new byte[][] {PngBytes.shorts(0x00ff, 0x8000, 0xffff)});
        assertPixels(rgb, 0, 0x80, 0xff);
        byte[] rgba = new PngBytes(1, 1, 16, PngBytes.RGBA)
                .finish(new byte[][] {PngBytes.shorts(0x1234, 0xabcd, 0x0101, 0)});
        assertPixels(rgba, 0x12, 0xab, 0x01);
    }

    @Test
    void goldenPngDecodes() throws IOException {
        RgbImage image = decoder.decode(Files.readAllBytes(Golden.base().resolve("image2.png")));
        assertEquals(200, image.width());
        assertEquals(150, image.height());
    }

    @Test
    void jpegDecodes() throws IOException {
        BufferedImage src = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                src.setRGB(x, y, 0x3c78b4);
            }
        }
        RgbImage image = decoder.decode(encode(src, "jpeg"));
        assertEquals(16, image.width());
        assertEquals(8, image.height());
        // lossy: a flat colour comes back within a few levels
        int[] expected = {0x3c, 0x78, 0xb4};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(image.sample(5, 3, c) - expected[c]) <= 3, "channel " + c);
        }
    }

    @Test
    void grayJpegIsReplicated() throws IOException {
        BufferedImage src = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        src.getRaster().setSample(0, 0, 0, 0);
        RgbImage image = decoder.decode(encode(src, "jpeg"));
        assertEquals(image.sample(4, 4, 0), image.sample(4, 4, 1));
        assertEquals(image.sample(4, 4, 0), image.sample(4, 4, 2));
    }

    @Test
    void emptyInputIsRejected() {
        assertRejected(new byte[0], "empty");
        assertRejected(null, "empty");
    }

    @Test
    void unknownFormatIsRejected() throws IOException {
        assertRejected("not an image at all".getBytes(), "not supported");
        BufferedImage gif = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED);
        assertRejected(encode(gif, "gif"), "PNG or JPEG");
    }

    @Test
    void corruptDataIsRejected() {
        byte[] png = new PngBytes(4, 4, 8, PngBytes.RGB).chunk("IDAT", PngBytes.bytes(1, 2, 3, 4, 5)).chunk("IEND",
                new byte[0]).finish(new byte[0][]);
        assertRejected(png, "could not be decoded");
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        byte[] png = Files.readAllBytes(Golden.base().resolve("image2.png"));
        assertRejected(Arrays.copyOf(png, png.length / 2), "could not be decoded");
        BufferedImage src = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, x * 4 << 16 | y * 4 << 8 | (x ^ y));
            }
        }
        byte[] jpeg = encode(src, "jpeg");
        // ImageIO only warns and fills the rest with gray; Pillow refuses, and so do we
        assertRejected(Arrays.copyOf(jpeg, jpeg.length * 3 / 4), "incomplete");
        // cut inside the headers (ImageIO's writer emits long tables): a decode error
        assertRejected(Arrays.copyOf(jpeg, jpeg.length / 4), "could not be decoded");
        // complete data without the EOI marker: the pixels are all there
        assertEquals(64, decoder.decode(Arrays.copyOf(jpeg, jpeg.length - 2)).width());
    }

    @Test
    void oversizedImageIsRejectedFromItsHeader() {
        // a header claiming 100000 x 100000 pixels with almost no data: refused before any decoding or allocation
        byte[] bomb = new PngBytes(100_000, 100_000, 8, PngBytes.RGB).finish(new byte[][] {new byte[3]});
        InvalidRequestException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(InvalidRequestException.class, () -> decoder.decode(bomb)));
        assertEquals("image", e.field());
        assertTrue(e.getMessage().contains("1000000"), e.getMessage());
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    }

    @Test
    void limitIsInclusive() {
        byte[] png = new PngBytes(2, 2, 8, PngBytes.GRAY).finish(new byte[][] {new byte[2], new byte[2]});
        assertEquals(2, new ImageDecoder(4).decode(png).width());
        assertThrows(InvalidRequestException.class, () -> new ImageDecoder(3).decode(png));
    }

    private void assertPixels(byte[] png, int... rgb) {
        RgbImage image = decoder.decode(png);
        assertEquals(rgb.length / 3, image.width() * image.height());
        assertArrayEquals(PngBytes.bytes(rgb), image.rgb());
    }

    private void assertRejected(byte[] bytes, String messagePart) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> decoder.decode(bytes));
        assertEquals("image", e.field());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no " + format + " writer");
        return out.toByteArray();
    }
}
