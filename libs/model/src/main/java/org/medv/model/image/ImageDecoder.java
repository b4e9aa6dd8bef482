package org.medv.model.image;

import org.medv.model.InvalidRequestException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

/**
 * Decodes PNG and JPEG bytes into an {@link RgbImage} the way the reference does it:
 * {@code Image.open(f).convert("RGB")} in Pillow. The size is checked from the header before any pixel is decoded,
 * so a decompression bomb costs nothing; every failure is an {@link InvalidRequestException} on field
 * {@code image}. Image content is never logged.
 *
 * <p>Raw raster samples are read, never {@code BufferedImage.getRGB}, because Pillow applies no colour management
 * (ICC profiles and gAMA are ignored) and never composites alpha.
 */
public final class ImageDecoder {
    /** Pillow's {@code Image.MAX_IMAGE_PIXELS} (above it Pillow warns, above twice it refuses). */
    public static final long PIL_MAX_IMAGE_PIXELS = 89_478_485L;

    private static final String FIELD = "image";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int PNG_GRAY = 0;
    /** The most deflate can expand: 258 bytes from a 2-bit code, about 1032:1 (zlib's technical notes). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private final long maxPixels;

    /**
     * @param maxPixels the largest width x height accepted. Peak memory per decode is about 3 bytes per pixel for
     *                  the result plus ImageIO's raster (up to 8 bytes per pixel for 16-bit RGBA)
     */
    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0 || maxPixels > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException("maxPixels must be in 1.." + Integer.MAX_VALUE / 3
                    + ", got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public long maxPixels() {
        return maxPixels;
    }

    public RgbImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidRequestException(FIELD, "image is empty (0 bytes); send a PNG or JPEG file");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = pngOrJpegReader(in);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(width, height);
                checkEnoughData(formatName(reader), width, height, bytes);
                TruncationGuard guard = new TruncationGuard();
                reader.addIIOReadWarningListener(guard);
                BufferedImage image = reader.read(0);
                guard.check();
                return toRgb(image, isSixteenBitGray(bytes));
            } finally {
                reader.dispose();
            }
        } catch (InvalidRequestException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO signals malformed data with IIOException but also with unchecked exceptions
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new InvalidRequestException(FIELD, "image could not be decoded (corrupt, truncated or "
                    + "unsupported PNG/JPEG data: " + detail + ")", e);
        }
    }

    private static ImageReader pngOrJpegReader(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            String format = formatName(reader);
            if (format.equals("png") || format.equals("jpeg")) {
                return reader;
            }
            reader.dispose();
        }
        throw new InvalidRequestException(FIELD, "image format is not supported; send a PNG or JPEG file");
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "";
        }
    }

    private void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new InvalidRequestException(FIELD, "image has no pixels (" + width + "x" + height + ")");
        }
        if ((long) width * height > maxPixels) {
            throw new InvalidRequestException(FIELD, "image is " + width + "x" + height + " = "
                    + (long) width * height + " pixels, more than the limit of " + maxPixels + " pixels");
        }
    }

    /**
     * Refuses, before any pixel buffer is allocated, a header that declares far more pixels than the file can hold:
     * deflate (PNG) expands at most 1032-fold, and a Huffman-coded JPEG spends at least one bit per 8x8 block of
     * each component (sampling factors of at most 4 leave at least one block per 32x32 pixels). Without this, a
     * 100-byte file declaring an in-limit 9000x9000 16-bit RGBA PNG makes ImageIO allocate its full raster (650 MB)
     * before it finds the data missing.
     */
    private static void checkEnoughData(String format, int width, int height, byte[] bytes) {
        long pixels = (long) width * height;
        long needed;
        if (format.equals("png")) {
            long rowBytes = ((long) width * pngBitsPerPixel(bytes) + 7) / 8;
            needed = (rowBytes + 1) * height / MAX_DEFLATE_RATIO;
        } else {
            long blocks = ((width + 31L) / 32) * ((height + 31L) / 32);
            needed = blocks / 8;
        }
        if (bytes.length < needed) {
            throw new InvalidRequestException(FIELD, "image data is truncated: a " + width + "x" + height + " "
                    + format.toUpperCase(Locale.ROOT) + " (" + pixels + " pixels) needs at least " + needed
                    + " bytes, the file has " + bytes.length);
        }
    }

    /** Bits per pixel from a PNG's IHDR (bit depth x channels of its colour type); 1 when unreadable. */
    private static int pngBitsPerPixel(byte[] b) {
        if (b.length < 26) {
            return 1;
        }
        int depth = b[24] & 0xff;
        int channels = switch (b[25]) {
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> 1;
        };
        return Math.max(1, depth * channels);
    }

    /**
     * Pillow's {@code convert("RGB")} per source layout (Convert.c, Unpack.c, PngImagePlugin {@code _MODES}):
     * palette images look up the palette (its alpha is dropped); gray (L) is replicated; alpha (LA, RGBA) is dropped
     * without compositing. 16-bit PNGs: gray without alpha opens as mode {@code I;16}, whose conversion
     * ({@code I16_RGB}) clips each value to 255; 16-bit gray+alpha and RGB(A) are unpacked by {@code *;16B} raw modes
     * that keep the most significant byte. Sub-byte gray (1, 2, 4 bits) is scaled to 0..255 by both libraries.
     */
    private static RgbImage toRgb(BufferedImage image, boolean sixteenBitGray) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        byte[] rgb = new byte[w * h * 3];
        if (image.getColorModel() instanceof IndexColorModel palette) {
            for (int y = 0, o = 0; y < h; y++) {
                for (int x = 0; x < w; x++, o += 3) {
                    int index = raster.getSample(x, y, 0);
                    rgb[o] = (byte) palette.getRed(index);
                    rgb[o + 1] = (byte) palette.getGreen(index);
                    rgb[o + 2] = (byte) palette.getBlue(index);
                }
            }
            return new RgbImage(w, h, rgb);
        }
        int colourBands = image.getColorModel().getNumColorComponents();
        if (colourBands != 1 && colourBands != 3) {
            throw new InvalidRequestException(FIELD, "image colour layout is not supported ("
                    + colourBands + " colour channels); send an RGB or grayscale PNG or JPEG");
        }
        int bits = DataBuffer.getDataTypeSize(raster.getTransferType());
        if (bits != 8 && bits != 16) {
            throw new InvalidRequestException(FIELD, "image sample depth of " + bits
                    + " bits is not supported; send an 8- or 16-bit PNG or a JPEG");
        }
        int[] row = new int[w * raster.getNumBands()];
        int stride = raster.getNumBands();
        for (int y = 0, o = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++, o += 3) {
                for (int c = 0; c < 3; c++) {
                    int v = row[x * stride + (colourBands == 1 ? 0 : c)];
                    if (bits == 16) {
                        v = sixteenBitGray ? Math.min(v, 255) : v >> 8;
                    }
                    rgb[o + c] = (byte) v;
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * Whether the bytes are a 16-bit gray PNG without an alpha channel (IHDR bit depth 16, colour type 0), the one
     * layout Pillow opens as {@code I;16}. Read from the header because ImageIO may add an alpha band for tRNS.
     */
    private static boolean isSixteenBitGray(byte[] b) {
        if (b.length < 26) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (b[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        // signature (8), IHDR length (4) and type (4), width (4), height (4), bit depth (1), colour type (1)
        return b[24] == 16 && b[25] == PNG_GRAY;
    }

    /**
     * Pillow refuses a file whose pixel data ends early ("image file is truncated"), where ImageIO's JPEG reader only
     * warns ("premature end of data segment") and fills the rest with gray. A missing EOI marker after complete data
     * and other libjpeg warnings (e.g. extraneous bytes) are tolerated.
     */
    private static final class TruncationGuard implements IIOReadWarningListener {
        private boolean truncated;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            truncated |= w.contains("premature end");
        }

        void check() {
            if (truncated) {
                throw new InvalidRequestException(FIELD, "image data is truncated (incomplete PNG/JPEG file)");
            }
        }
    }
}
