package org.medv.model.image;

import org.medv.model.safetensors.SafetensorsFile;
import org.medv.model.safetensors.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Reads the golden inputs (imageN.png) and expected tensors of one golden set. */
final class GoldenImages {
    private GoldenImages() {
    }

    static RgbImage image(Path set, String file) {
        try {
            return new ImageDecoder(ImageDecoder.PIL_MAX_IMAGE_PIXELS).decode(Files.readAllBytes(set.resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] shape(Path set, String tensor) {
        try (SafetensorsFile f = SafetensorsFile.open(set.resolve("expected.safetensors"))) {
            return info(f, tensor).shape();
        }
    }

    static byte[] u8(Path set, String tensor) {
        try (SafetensorsFile f = SafetensorsFile.open(set.resolve("expected.safetensors"))) {
            ByteBuffer b = f.map(info(f, tensor));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    static float[] f32(Path set, String tensor) {
        try (SafetensorsFile f = SafetensorsFile.open(set.resolve("expected.safetensors"))) {
            ByteBuffer b = f.map(info(f, tensor));
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
    }

    private static TensorInfo info(SafetensorsFile f, String tensor) {
        TensorInfo info = f.tensors().get(tensor);
        assertNotNull(info, tensor + " missing from " + f.path());
        return info;
    }
}
