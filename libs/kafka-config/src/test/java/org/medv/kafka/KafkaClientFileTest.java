package org.medv.kafka;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.testkit.ClientPropertiesFile;
import org.medv.testkit.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file reaches a client the way Quarkus builds its {@code default-kafka-broker} map (every {@code kafka.*} key
 * of the configuration, prefix stripped), against a real broker that takes SASL_PLAINTEXT/PLAIN only.
 */
class KafkaClientFileTest {
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

    private Path file(Map<String, String> settings) {
        return ClientPropertiesFile.write(dir.resolve("client.properties"), settings);
    }

    /** What a service's Quarkus config holds: application.properties, the -D key naming the file, the factory. */
    private static SmallRyeConfig serviceConfig(Path file) {
        SmallRyeConfigBuilder b = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                        "kafka.security.protocol", "PLAINTEXT"), "application.properties", 250))
                .withSources(new KafkaClientFileConfigSource());
        if (file != null) {
            b.withSources(new PropertiesConfigSource(Map.of(KafkaClientFile.CONFIG_KEY, file.toString()),
                    "system properties", 400));
        }
        return b.build();
    }

    /** Quarkus' KafkaRuntimeConfigProducer: every kafka.* key without the prefix. */
    private static Map<String, Object> defaultKafkaBroker(SmallRyeConfig config) {
        Map<String, Object> m = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.")) {
                m.put(name.substring("kafka.".length()), config.getValue(name, String.class));
            }
        }
        m.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        m.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        return m;
    }

    private static String clusterId(Map<String, Object> client) throws Exception {
        try (Admin admin = Admin.create(client)) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void withTheFileTheClientIsAdmitted() throws Exception {
        SmallRyeConfig config = serviceConfig(file(kafka.clientSecurity()));
        assertEquals("SASL_PLAINTEXT", config.getValue("kafka.security.protocol", String.class),
                "the file outranks application.properties");
        assertFalse(clusterId(defaultKafkaBroker(config)).isBlank());
    }

    @Test
    void withoutTheFileTheClientIsRefused() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> clusterId(defaultKafkaBroker(serviceConfig(null))));
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
    }

    @Test
    void aWrongPasswordIsRefusedByName() throws Exception {
        Map<String, String> wrong = new HashMap<>(kafka.clientSecurity());
        wrong.put("sasl.jaas.config", wrong.get("sasl.jaas.config").replace("-secret\"", "-wrong\""));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> clusterId(defaultKafkaBroker(serviceConfig(file(wrong)))));
        assertInstanceOf(SaslAuthenticationException.class, e.getCause());
    }

    @Test
    void aMissingFileFailsNamingTheKeyAndTheFile() {
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaClientFile.read(missing));
        assertTrue(e.getMessage().contains(KafkaClientFile.CONFIG_KEY) && e.getMessage().contains(missing.toString()),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> serviceConfig(missing));
    }

    @Test
    void aMalformedFileNamesTheFileButNotItsContent() throws IOException {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "sasl.jaas.config=secret-\\uZZZZ-value\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KafkaClientFile.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void valuesAreTrimmedAndKeysKept() throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "security.protocol = SASL_SSL \nssl.truststore.location=/etc/kafka/ca.p12\n");
        assertEquals(Map.of("security.protocol", "SASL_SSL", "ssl.truststore.location", "/etc/kafka/ca.p12"),
                KafkaClientFile.read(f));
    }
}
