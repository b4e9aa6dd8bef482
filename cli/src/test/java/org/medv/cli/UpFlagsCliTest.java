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
    void kafkaClientSettingsAndInternalTlsAreCheckedBeforeAnythingStarts() throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("medv-kafka", ".properties");
        try {
            GenerateGoldenCliTest.Result local = GenerateGoldenCliTest.medv("up", "--kafka-config", file.toString());
            assertEquals(2, local.code(), local.err());
            assertTrue(local.err().contains("--kafka-config needs --kafka HOST:PORT"), local.err());
            assertFalse(local.out().contains("starting medv"), local.out());
        } finally {
            java.nio.file.Files.delete(file);
        }

        GenerateGoldenCliTest.Result missing = GenerateGoldenCliTest.medv("up", "--kafka", "localhost:1",
                "--kafka-config", file.toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("medv.kafka.config-file: " + file + " is not a file"), missing.err());

        GenerateGoldenCliTest.Result tls = GenerateGoldenCliTest.medv("up", "--internal-tls-dir", "/nonexistent");
        assertEquals(2, tls.code(), tls.err());
        assertTrue(tls.err().contains("--internal-tls-dir: /nonexistent/ca.crt is missing"), tls.err());
        assertFalse(tls.out().contains("starting medv"), tls.out());
    }
}
