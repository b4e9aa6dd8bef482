package org.medv.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `medv up` refuses a device, dtype or denoiser count it cannot pass on before it starts anything. */
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

        GenerateGoldenCliTest.Result none = GenerateGoldenCliTest.medv("up", "--denoisers", "0");
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("--denoisers must be 1..8, got 0"), none.err());
        assertFalse(none.out().contains("starting medv"), none.out());
    }
}
