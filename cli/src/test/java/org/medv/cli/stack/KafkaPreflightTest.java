package org.medv.cli.stack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.testkit.ClientPropertiesFile;
import org.medv.testkit.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code up --kafka X [--kafka-config FILE]} checks the cluster lets its clients in, against a SASL-only broker. */
class KafkaPreflightTest {
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.startSasl();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private Path write(Map<String, String> settings) {
        return ClientPropertiesFile.write(dir.resolve("client.properties"), settings);
    }

    @Test
    void theClientSettingsFileLetsUpIn() throws IOException {
        Path f = write(kafka.clientSecurity());
        assertDoesNotThrow(() -> KafkaPreflight.check(kafka.bootstrapServers(), f, Duration.ofSeconds(30)));
    }

    @Test
    void withoutTheFileUpStopsAndSaysWhichFlagIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KafkaPreflight.check(kafka.bootstrapServers(), null, Duration.ofSeconds(3)));
        assertTrue(e.getMessage().contains("did not let medv's client in") && e.getMessage().contains(
                "--kafka-config FILE"), e.getMessage());
    }

    @Test
    void aWrongPasswordIsNamedAsAnAuthenticationFailureWithoutThePassword() throws IOException {
        String jaas = kafka.clientSecurity().get("sasl.jaas.config").replace("-secret\"", "-not-it\"");
        Path f = write(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", jaas));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KafkaPreflight.check(kafka.bootstrapServers(), f, Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("SaslAuthenticationException"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("not-it"), e.getMessage());
    }
}
