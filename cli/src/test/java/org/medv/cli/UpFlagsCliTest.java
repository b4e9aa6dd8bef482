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

    @Test
    void aBadOtlpEndpointOrProtocolIsRefusedBeforeAnythingStarts() {
        GenerateGoldenCliTest.Result url = GenerateGoldenCliTest.medv("up", "--otlp-endpoint", "localhost:4317");
        assertEquals(2, url.code(), url.err());
        assertTrue(url.err().contains("medv: invalid otlp-endpoint: --otlp-endpoint must be an http:// or https://"
                + " URL such as http://localhost:4317, got localhost:4317"), url.err());
        assertFalse(url.out().contains("starting medv"), url.out());

        GenerateGoldenCliTest.Result protocol = GenerateGoldenCliTest.medv("up", "--otlp-endpoint",
                "http://localhost:4318", "--otlp-protocol", "http/json");
        assertEquals(2, protocol.code(), protocol.err());
        assertTrue(protocol.err().contains("--otlp-protocol must be grpc or http/protobuf, got http/json"),
                protocol.err());

        GenerateGoldenCliTest.Result alone = GenerateGoldenCliTest.medv("up", "--otlp-protocol", "grpc");
        assertEquals(2, alone.code(), alone.err());
        assertTrue(alone.err().contains("--otlp-protocol needs --otlp-endpoint"), alone.err());
    }

    /** What the services are given: the sampling ratio 1 and the endpoint (the ratio is 0 in their properties). */
    @Test
    void anOtlpEndpointTurnsExportOn() {
        assertEquals(java.util.List.of("-Dquarkus.otel.traces.sampler.arg=1.0",
                "-Dquarkus.otel.exporter.otlp.traces.endpoint=http://collector:4318/v1/traces",
                "-Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf"),
                org.medv.cli.stack.Tracing.exportTo("http://collector:4318/", "http/protobuf"));
        assertEquals("-Dquarkus.otel.exporter.otlp.traces.endpoint=http://collector:4317",
                org.medv.cli.stack.Tracing.exportTo("http://collector:4317", "grpc").get(1));
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

    @Test
    void perKeyLimitsNeedKeysAndAPositiveValueBeforeAnythingStarts() throws java.io.IOException {
        GenerateGoldenCliTest.Result keyless = GenerateGoldenCliTest.medv("up", "--streams-per-key", "2");
        assertEquals(2, keyless.code(), keyless.err());
        assertTrue(keyless.err().contains("medv: invalid streams-per-key: --streams-per-key needs --api-keys: "
                + "without keys there are no per-caller limits"), keyless.err());
        assertFalse(keyless.out().contains("starting medv"), keyless.out());

        java.nio.file.Path keys = java.nio.file.Files.createTempFile("medv-keys", ".txt");
        try {
            GenerateGoldenCliTest.Result zero = GenerateGoldenCliTest.medv("up", "--api-keys", keys.toString(),
                    "--requests-per-key-per-minute", "0");
            assertEquals(2, zero.code(), zero.err());
            assertTrue(zero.err().contains("medv: invalid requests-per-key-per-minute: --requests-per-key-per-minute"
                    + " must be 1..1000000, got 0"), zero.err());
            assertFalse(zero.out().contains("starting medv"), zero.out());
        } finally {
            java.nio.file.Files.delete(keys);
        }
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
