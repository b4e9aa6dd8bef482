package org.medv.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IEEE half conversions: exact values, round to nearest even, subnormals, overflow, NaN; checked against PyTorch. */
class Float16Test {

    private static void half(int expectedBits, float f) {
        short h = Float16.floatToHalf(f);
        assertEquals(String.format("0x%04X", expectedBits), String.format("0x%04X", h & 0xFFFF), "floatToHalf(" + f + ")");
    }

    private static boolean isHalfNaN(short h) {
        return (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
    }

    @Test
    void halfToFloatExactValues() {
        assertEquals(1f, Float16.halfToFloat((short) 0x3C00));
        assertEquals(-2f, Float16.halfToFloat((short) 0xC000));
        assertEquals(65504f, Float16.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-14f, Float16.halfToFloat((short) 0x0400), "smallest normal");
        assertEquals(0x1p-24f, Float16.halfToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(1023 * 0x1p-24f, Float16.halfToFloat((short) 0x03FF), "largest subnormal");
        assertEquals(-3 * 0x1p-24f, Float16.halfToFloat((short) 0x8003));
        assertEquals(0.333251953125f, Float16.halfToFloat((short) 0x3555));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Float16.halfToFloat((short) 0x8000)));
        assertEquals(Float.POSITIVE_INFINITY, Float16.halfToFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, Float16.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Float16.halfToFloat((short) 0x7E00)));
        assertTrue(Float.isNaN(Float16.halfToFloat((short) 0xFC01)));
    }

    @Test
    void floatToHalfExactValues() {
        half(0x3C00, 1f);
        half(0xC100, -2.5f);
        half(0x7BFF, 65504f);
        half(0x0400, 0x1p-14f);
        half(0x0000, 0f);
        half(0x8000, -0f);
        half(0x3555, 0.333251953125f);
    }

    @Test
    void everyNonNaNHalfSurvivesARoundTrip() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            short h = (short) bits;
            if (isHalfNaN(h)) {
                continue;
            }
            assertEquals(bits, Float16.floatToHalf(Float16.halfToFloat(h)) & 0xFFFF, String.format("0x%04X", bits));
        }
    }

    @Test
    void roundsToNearestEven() {
        half(0x3C00, 1f + 0x1p-11f); // tie between 0x3C00 and 0x3C01: even
        half(0x3C02, 1f + 3 * 0x1p-11f); // tie between 0x3C01 and 0x3C02: even
        half(0x3C01, 1f + 0x1p-11f + 0x1p-20f); // just above the tie
        half(0x3C00, 1f + 0x1p-11f - 0x1p-23f); // just below the tie
        half(0xBC00, -1f - 0x1p-11f);
        half(0x4000, 2f - 0x1p-12f); // rounding up carries into the exponent
    }

    @Test
    void subnormalsRoundToNearestEven() {
        half(0x0001, 0x1p-24f);
        half(0x8001, -0x1p-24f);
        half(0x0000, 0x1p-25f); // tie between 0 and the smallest subnormal: even
        half(0x0001, 0x1p-25f + 0x1p-40f);
        half(0x0000, 0x1p-26f);
        half(0x0002, 3 * 0x1p-25f); // tie between 1 and 2 units
        half(0x0002, 5 * 0x1p-25f); // tie between 2 and 3 units
        half(0x0400, 2047 * 0x1p-25f); // tie between the largest subnormal and the smallest normal
        half(0x0000, Float.MIN_VALUE); // float subnormals are far below half's range
        half(0x8000, -Float.MIN_VALUE);
    }

    @Test
    void overflowGoesToInfinity() {
        half(0x7BFF, 65519.996f); // below the tie with 65536
        half(0x7C00, 65520f); // the tie rounds to even, which is infinity
        half(0x7C00, 1e6f);
        half(0xFC00, -1e6f);
        half(0x7C00, Float.MAX_VALUE);
        half(0x7C00, Float.POSITIVE_INFINITY);
        half(0xFC00, Float.NEGATIVE_INFINITY);
    }

    @Test
    void nanStaysNaN() {
        assertTrue(isHalfNaN(Float16.floatToHalf(Float.NaN)));
        // payload only in the low mantissa bits, which a plain shift would drop (turning NaN into infinity)
        assertTrue(isHalfNaN(Float16.floatToHalf(Float.intBitsToFloat(0x7F800001))));
        assertTrue(isHalfNaN(Float16.floatToHalf(Float.intBitsToFloat(0xFF800001))));
        assertTrue(Float.isNaN(Float16.halfToFloat(Float16.floatToHalf(Float.NaN))));
    }

    @Test
    void bf16ToFloatIsTheUpperHalf() {
        assertEquals(1f, Float16.bf16ToFloat((short) 0x3F80));
        assertEquals(-5f, Float16.bf16ToFloat((short) 0xC0A0));
        assertEquals(0x1p-133f, Float16.bf16ToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, Float16.bf16ToFloat((short) 0xFF80));
    }

    @Test
    void agreesWithPyTorchOnRandomFloats() {
        SplittableRandom rng = new SplittableRandom(2024);
        float[] v = new float[20000];
        for (int i = 0; i < v.length; i++) {
            // exponents from deep in the subnormal range to beyond the largest half
            double magnitude = Math.pow(2, -30 + 48 * rng.nextDouble()) * (rng.nextBoolean() ? 1 : -1);
            v[i] = (float) magnitude;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray torch = m.create(v).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
            float[] expected = torch.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                float ours = Float16.halfToFloat(Float16.floatToHalf(v[i]));
                assertEquals(expected[i], ours, "float " + v[i] + " (bits " + Integer.toHexString(
                        Float.floatToRawIntBits(v[i])) + ")");
            }
        }
    }
}
