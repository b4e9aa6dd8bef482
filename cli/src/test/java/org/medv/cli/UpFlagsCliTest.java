package org.medv.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `medv up` refuses a device or dtype it cannot pass on before it starts anything. */
class UpFlagsCliTest {

    @Test
    void anUnknownDeviceOrDtypeIsRefusedBeforeAnythingStarts() {
        GenerateGoldenCliTest.Result device = GenerateGoldenCliTest.medv("up", "--device", "tpu");
        assertEquals(2, device.code(), device.err());
        assertTrue(device.err().contains("--device must be cpu or gpu, got tpu"), device.err());
        assertFalse(device.out().contains("starting medv"), device.out());

        GenerateGoldenCliTest.Result dtype = GenerateGoldenCliTest.medv("up", "--dtype", "bf16");
        assertEquals(2, dtype.code(), dtype.err());
        assertTrue(dtype.err().contains("unknown dtype bf16 (f32 or f16)"), dtype.err());
        assertFalse(dtype.out().contains("starting medv"), dtype.out());
    }

    @Test
    void tlsFilesGoTogetherAndMustBeReadableBeforeAnythingStarts() {
        GenerateGoldenCliTest.Result half = GenerateGoldenCliTest.medv("up", "--tls-cert", "pom.xml");
        assertEquals(2, half.code(), half.err());
        assertTrue(half.err().contains("--tls-cert and --tls-key go together"), half.err());
        assertFalse(half.out().contains("starting medv"), half.out());

        GenerateGoldenCliTest.Result keys = GenerateGoldenCliTest.medv("up", "--api-keys", "no-such-keys-file");
        assertEquals(2, keys.code(), keys.err());
        assertTrue(keys.err().contains("cannot read no-such-keys-file"), keys.err());
        assertFalse(keys.out().contains("starting medv"), keys.out());
    }
}
