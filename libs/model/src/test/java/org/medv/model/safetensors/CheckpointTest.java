package org.medv.model.safetensors;

import org.medv.model.EngineTest;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.safetensors.RawSafetensors.bits16;
import static org.medv.model.safetensors.RawSafetensors.f32;
import static org.medv.model.safetensors.RawSafetensors.i64;
import static org.medv.model.safetensors.RawSafetensors.u8;

/** Hand-written safetensors files read back into NDArrays, one dtype at a time, single-file and sharded. */
class CheckpointTest extends EngineTest {
    @TempDir
    Path dir;

    @Test
    void f32RoundTrip() {
        float[] v = {0f, -1.5f, 3.25e-30f, 6.5e20f, Float.MIN_VALUE, -0f};
        Path f = new RawSafetensors().tensor("w", "F32", new long[] {2, 3}, f32(v)).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f); NDArray a = c.load(manager, "w", DataType.FLOAT32)) {
            assertArrayEquals(new long[] {2, 3}, a.getShape().getShape());
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertEquals("w", a.getName());
            assertArrayEquals(v, a.toFloatArray());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(a.toFloatArray()[5]));
            assertEquals(dir, c.directory());
        }
    }

    @Test
    void onLoadReportsTheBytesLoadedSoFarOfAllTensors() {
        Path f = new RawSafetensors().tensor("a", "F32", new long[] {3}, f32(new float[] {1, 2, 3}))
                .tensor("b", "F32", new long[] {2}, f32(new float[] {4, 5})).write(dir.resolve("m.safetensors"));
        List<long[]> calls = new java.util.ArrayList<>();
        try (Checkpoint c = Checkpoint.open(f).onLoad((bytes, total) -> calls.add(new long[] {bytes, total}));
             NDArray b = c.load(manager, "b", DataType.FLOAT32); NDArray a = c.load(manager, "a", DataType.FLOAT32)) {
            assertEquals(2, calls.size());
            assertArrayEquals(new long[] {8, 20}, calls.get(0));
            assertArrayEquals(new long[] {20, 20}, calls.get(1));
        }
    }

    @Test
    void f16RoundTripKeepsHalfOrWidensExactly() {
        short[] h = {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x7C00, (short) 0x8000, 0x3555};
        float[] expected = {1f, -2.5f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, Float.POSITIVE_INFINITY, -0f,
            0.333251953125f};
        Path f = new RawSafetensors().tensor("h", "F16", new long[] {8}, bits16(h)).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f)) {
            try (NDArray half = c.load(manager, "h", DataType.FLOAT16)) {
                assertEquals(DataType.FLOAT16, half.getDataType());
                assertArrayEquals(expected, half.toType(DataType.FLOAT32, false).toFloatArray());
            }
            try (NDArray wide = c.load(manager, "h", DataType.FLOAT32)) {
                assertEquals(DataType.FLOAT32, wide.getDataType());
                assertArrayEquals(expected, wide.toFloatArray());
            }
        }
    }

    @Test
    void bf16UpcastIsExact() {
        SplittableRandom rng = new SplittableRandom(1);
        short[] b = new short[256];
        float[] expected = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            do {
                b[i] = (short) rng.nextInt(1 << 16);
            } while (((b[i] >> 7) & 0xFF) == 0xFF); // finite values only
            expected[i] = Float.intBitsToFloat((b[i] & 0xFFFF) << 16);
        }
        b[0] = 0x3F80; // 1.0
        expected[0] = 1f;
        b[1] = (short) 0xC0A0; // -5.0
        expected[1] = -5f;
        Path f = new RawSafetensors().tensor("b", "BF16", new long[] {16, 16}, bits16(b))
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f); NDArray a = c.load(manager, "b", DataType.FLOAT32)) {
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertArrayEquals(new long[] {16, 16}, a.getShape().getShape());
            assertArrayEquals(expected, a.toFloatArray());
        }
    }

    @Test
    void bf16ToFloat16IsExactInRangeAndRoundsSubnormalsToNearestEven() {
        short[] b = {
            0x3F80, // 1.0
            0x47C3, // 99840: beyond half's range, infinity
            0x3380, // 2^-24: the smallest half subnormal
            0x3DCD, // 0.10009765625 -> half 0x2E68
            (short) 0xBF81, // -1.0078125 -> half 0xBC08
            0x33C0, // 1.5 * 2^-24: a tie between 1 and 2 half subnormal units, to even
            0x33A0, // 1.25 * 2^-24: one unit
        };
        float[] expected = {1f, Float.POSITIVE_INFINITY, 0x1p-24f, Float16.halfToFloat((short) 0x2E68),
            Float16.halfToFloat((short) 0xBC08), 0x1p-23f, 0x1p-24f};
        Path f = new RawSafetensors().tensor("b", "BF16", new long[] {7}, bits16(b)).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f); NDArray a = c.load(manager, "b", DataType.FLOAT16)) {
            assertEquals(DataType.FLOAT16, a.getDataType());
            assertArrayEquals(expected, a.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void f32ToFloat16Target() {
        float[] v = {0.1f, -3.14159f, 70000f, 1e-6f, 1f};
        Path f = new RawSafetensors().tensor("w", "F32", new long[] {5}, f32(v)).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f); NDArray a = c.load(manager, "w", DataType.FLOAT16)) {
            assertEquals(DataType.FLOAT16, a.getDataType());
            float[] got = a.toType(DataType.FLOAT32, false).toFloatArray();
            assertEquals(0.0999755859375f, got[0]);
            assertEquals(-3.140625f, got[1]);
            assertEquals(Float.POSITIVE_INFINITY, got[2]);
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float16.halfToFloat(Float16.floatToHalf(v[i])), got[i], "element " + i);
            }
        }
    }

    @Test
    void integerTensorsKeepTheirType() {
        long[] l = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 126336};
        int[] u = {0, 1, 127, 128, 255};
        Path f = new RawSafetensors()
                .tensor("ids", "I64", new long[] {5}, i64(l))
                .tensor("bytes", "U8", new long[] {5, 1}, u8(u))
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f);
             NDArray ids = c.load(manager, "ids", DataType.FLOAT32);
             NDArray bytes = c.load(manager, "bytes", DataType.FLOAT16)) {
            assertEquals(DataType.INT64, ids.getDataType());
            assertArrayEquals(l, ids.toLongArray());
            assertEquals(DataType.UINT8, bytes.getDataType());
            assertArrayEquals(new long[] {5, 1}, bytes.getShape().getShape());
            assertArrayEquals(u, bytes.toUint8Array());
        }
    }

    @Test
    void scalarAndEmptyTensorsAndTheOtherDtypes() {
        java.nio.ByteBuffer f64 = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        f64.putDouble(Math.PI).putDouble(-1e300);
        java.nio.ByteBuffer i32 = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        i32.putInt(Integer.MIN_VALUE).putInt(7);
        Path f = new RawSafetensors()
                .tensor("scalar", "F32", new long[] {}, f32(2.5f))
                .tensor("empty", "F32", new long[] {0, 4}, new byte[0])
                .tensor("f64", "F64", new long[] {2}, f64.array())
                .tensor("i32", "I32", new long[] {2}, i32.array())
                .tensor("i8", "I8", new long[] {3}, u8(-128, 0, 127))
                .tensor("bool", "BOOL", new long[] {3}, u8(1, 0, 1))
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f)) {
            try (NDArray a = c.load(manager, "scalar", DataType.FLOAT32)) {
                assertArrayEquals(new long[] {}, a.getShape().getShape());
                assertEquals(2.5f, a.getFloat());
            }
            try (NDArray a = c.load(manager, "empty", DataType.FLOAT32)) {
                assertArrayEquals(new long[] {0, 4}, a.getShape().getShape());
            }
            try (NDArray a = c.load(manager, "f64", null)) {
                assertEquals(DataType.FLOAT64, a.getDataType());
                assertArrayEquals(new double[] {Math.PI, -1e300}, a.toDoubleArray());
            }
            try (NDArray a = c.load(manager, "i32", DataType.FLOAT32)) {
                assertArrayEquals(new int[] {Integer.MIN_VALUE, 7}, a.toIntArray());
            }
            try (NDArray a = c.load(manager, "i8", DataType.FLOAT32)) {
                assertArrayEquals(new byte[] {-128, 0, 127}, a.toByteArray());
            }
            try (NDArray a = c.load(manager, "bool", DataType.FLOAT32)) {
                assertArrayEquals(new boolean[] {true, false, true}, a.toBooleanArray());
            }
        }
    }

    @Test
    void loadedArraysDoNotShareTheStagingBuffer() {
        Path f = new RawSafetensors()
                .tensor("a", "F32", new long[] {3}, f32(1f, 2f, 3f))
                .tensor("b", "F32", new long[] {3}, f32(7f, 8f, 9f))
                .tensor("c", "BF16", new long[] {3}, bits16((short) 0x4120, (short) 0x4130, (short) 0x4140))
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(f);
             NDArray a = c.load(manager, "a", DataType.FLOAT32);
             NDArray b = c.load(manager, "b", DataType.FLOAT32);
             NDArray bf = c.load(manager, "c", DataType.FLOAT32)) {
            assertArrayEquals(new float[] {1f, 2f, 3f}, a.toFloatArray());
            assertArrayEquals(new float[] {7f, 8f, 9f}, b.toFloatArray());
            assertArrayEquals(new float[] {10f, 11f, 12f}, bf.toFloatArray());
        }
    }

    @Test
    void expectedShapeIsAcceptedWhenItMatches() {
        Path f = new RawSafetensors().tensor("w", "F32", new long[] {2, 2}, f32(1, 2, 3, 4))
                .metadata("format", "pt").write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir); NDArray a = c.load(manager, "w", new long[] {2, 2}, null)) {
            assertEquals(Set.of("w"), c.names(), "__metadata__ is not a tensor");
            assertArrayEquals(new float[] {1, 2, 3, 4}, a.toFloatArray());
            TensorInfo info = c.info("w");
            assertEquals(TensorDType.F32, info.dtype());
            assertEquals(16, info.byteLength());
            assertEquals(f, info.file());
        }
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), s.metadata());
        }
    }

    @Test
    void directoryWithoutIndexReadsEverySafetensorsFile() throws IOException {
        new RawSafetensors().tensor("a.x", "F32", new long[] {1}, f32(1)).write(dir.resolve("one.safetensors"));
        new RawSafetensors().tensor("b.y", "F32", new long[] {1}, f32(2)).write(dir.resolve("two.safetensors"));
        Files.writeString(dir.resolve("config.json"), "{}");
        try (Checkpoint c = Checkpoint.open(dir); NDArray b = c.load(manager, "b.y", DataType.FLOAT32)) {
            assertEquals(Set.of("a.x", "b.y"), c.names());
            assertArrayEquals(new float[] {2}, b.toFloatArray());
        }
    }

    static void writeIndex(Path dir, String weightMapJson) throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": 0}, \"weight_map\": " + weightMapJson + "}");
    }

    @Test
    void shardedDirectoryFollowsTheIndex() throws IOException {
        new RawSafetensors()
                .tensor("model.layers.0.w", "F32", new long[] {2}, f32(1, 2))
                .tensor("model.embed", "BF16", new long[] {1}, bits16((short) 0x4000))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new RawSafetensors()
                .tensor("model.layers.1.w", "F32", new long[] {2}, f32(3, 4))
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        // a stray file the index does not list is not read
        new RawSafetensors().tensor("stray", "F32", new long[] {1}, f32(9)).write(dir.resolve("old.safetensors"));
        writeIndex(dir, "{\"model.layers.0.w\": \"model-00001-of-00002.safetensors\", "
                + "\"model.embed\": \"model-00001-of-00002.safetensors\", "
                + "\"model.layers.1.w\": \"model-00002-of-00002.safetensors\"}");
        try (Checkpoint c = Checkpoint.open(dir);
             NDArray w1 = c.load(manager, "model.layers.1.w", DataType.FLOAT32);
             NDArray e = c.load(manager, "model.embed", DataType.FLOAT32)) {
            assertEquals(Set.of("model.layers.0.w", "model.embed", "model.layers.1.w"), c.names());
            assertFalse(c.contains("stray"));
            assertTrue(c.contains("model.embed"));
            assertEquals(List.of("model.layers.0.w", "model.layers.1.w"),
                    List.copyOf(c.withPrefix("model.layers.").keySet()));
            assertEquals(dir.resolve("model-00002-of-00002.safetensors"), c.info("model.layers.1.w").file());
            assertArrayEquals(new float[] {3, 4}, w1.toFloatArray());
            assertArrayEquals(new float[] {2}, e.toFloatArray());
        }
    }
}
