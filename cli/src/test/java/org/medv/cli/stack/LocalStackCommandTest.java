package org.medv.cli.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.testkit.TestCertificates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command lines {@code up} starts the services with: listen addresses, Kafka client file, internal TLS. */
class LocalStackCommandTest {
    @TempDir
    Path dir;

    private LocalStack stack() {
        return new LocalStack(LocalStack.Settings.defaults(dir, dir.resolve("model")));
    }

    private static String value(List<String> cmd, String key) {
        List<String> found = cmd.stream().filter(a -> a.startsWith("-D" + key + "=")).toList();
        assertTrue(found.size() <= 1, key + " set twice: " + found);
        return found.isEmpty() ? null : found.get(0).substring(key.length() + 3);
    }

    private static List<String> cmd(LocalStack s, String module, int grpc) {
        return s.command(module, grpc, 8000, List.of(), Path.of(module + ".jar"));
    }

    @Test
    void internalServicesListenOnLoopbackOnlyAndTheGatewayOnEveryAddress() {
        LocalStack s = stack();
        for (String internal : List.of("vision-service", "denoiser-service")) {
            List<String> c = cmd(s, internal, 9100);
            assertEquals("127.0.0.1", value(c, "quarkus.http.host"), internal);
            assertEquals("127.0.0.1", value(c, "quarkus.grpc.server.host"), internal);
        }
        List<String> evaluator = cmd(s, "evaluator-service", 0);
        assertEquals("127.0.0.1", value(evaluator, "quarkus.http.host"));
        List<String> gateway = cmd(s, "gateway", 9000);
        assertEquals("0.0.0.0", value(gateway, "quarkus.http.host"));
        assertEquals("0.0.0.0", value(gateway, "quarkus.grpc.server.host"));
    }

    @Test
    void theKafkaClientFileReachesEveryServiceByPathOnly() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=x required password=\"s3cret\";\n");
        LocalStack s = stack().kafkaConfig(file);
        for (String module : List.of("vision-service", "denoiser-service", "gateway", "evaluator-service")) {
            List<String> c = cmd(s, module, module.equals("evaluator-service") ? 0 : 9100);
            assertEquals(file.toAbsolutePath().toString(), value(c, "medv.kafka.config-file"), module);
            assertFalse(String.join(" ", c).contains("s3cret"), module);
        }
        assertEquals(null, value(cmd(stack(), "gateway", 9000), "medv.kafka.config-file"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> stack().kafkaConfig(dir.resolve("nope.properties")));
        assertTrue(missing.getMessage().contains("nope.properties"), missing.getMessage());
    }

    @Test
    void internalTlsRequiresClientCertificatesOnTheModelServicesAndGivesTheGatewayOne() throws Exception {
        TestCertificates ca = TestCertificates.authority("medv internal CA");
        Path tls = Files.createDirectories(dir.resolve("tls"));
        ca.writeCa(tls.resolve("ca.crt"));
        for (String name : List.of("vision", "denoiser", "gateway")) {
            ca.issue(name).write(tls.resolve(name + ".crt"), tls.resolve(name + ".key"));
        }
        InternalTls internal = InternalTls.from(tls);
        List<String> server = internal.serverProperties("denoiser", dir);
        assertEquals("REQUIRED", value(server, "quarkus.grpc.server.ssl.client-auth"));
        assertEquals(tls.resolve("denoiser.crt").toString(), value(server, "quarkus.grpc.server.ssl.certificate"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(value(server, "quarkus.grpc.server.ssl.trust-store")))) {
            trust.load(in, value(server, "quarkus.grpc.server.ssl.trust-store-password").toCharArray());
        }
        assertEquals(ca.ca(), trust.getCertificate(trust.aliases().nextElement()), "the trust store holds the CA");
        // a second denoiser process gets the same settings: its start must not rewrite the store under a new password
        assertEquals(server, internal.serverProperties("denoiser", dir));
        try (InputStream in = Files.newInputStream(Path.of(value(server, "quarkus.grpc.server.ssl.trust-store")))) {
            trust.load(in, value(server, "quarkus.grpc.server.ssl.trust-store-password").toCharArray());
        }

        List<String> client = internal.clientProperties();
        for (String name : List.of("vision", "denoiser")) {
            String c = "quarkus.grpc.clients." + name;
            assertEquals("tls", value(client, c + ".negotiation-type"));
            assertEquals(tls.resolve("gateway.crt").toString(), value(client, c + ".ssl.certificate"));
            assertEquals(tls.resolve("gateway.key").toString(), value(client, c + ".ssl.key"));
            assertEquals(tls.resolve("ca.crt").toString(), value(client, c + ".ssl.trust-store"));
        }

        Files.delete(tls.resolve("gateway.key"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InternalTls.from(tls));
        assertTrue(e.getMessage().contains("gateway.key is missing"), e.getMessage());
    }

    @Test
    void perKeyLimitsReachTheGatewaysOnly() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "k-0123456789abcdef\n");
        LocalStack s = stack().gatewaySecurity(new GatewaySecurity(null, null, keys, 2, 30));
        List<String> gateway = cmd(s, "gateway", 9000);
        assertEquals(keys.toAbsolutePath().toString(), value(gateway, "medv.gateway.api-keys-file"));
        assertEquals("2", value(gateway, "medv.gateway.limits.streams-per-key"));
        assertEquals("30", value(gateway, "medv.gateway.limits.requests-per-key-per-minute"));
        assertEquals(null, value(cmd(s, "denoiser-service", 9100), "medv.gateway.limits.streams-per-key"));
        List<String> defaults = cmd(stack().gatewaySecurity(new GatewaySecurity(null, null, keys)), "gateway", 9000);
        assertEquals(null, value(defaults, "medv.gateway.limits.streams-per-key"), "the gateway's default");
        assertEquals(null, value(defaults, "medv.gateway.limits.requests-per-key-per-minute"), "the gateway's default");
    }

    /** up reports the stack started only once the gateway also serves requests with an image. */
    @Test
    void theGatewayCountsAsStartedOnceItServesImages() {
        String ready = "{\"status\":\"UP\",\"checks\":[{\"name\":\"gRPC Server\",\"status\":\"UP\",\"data\":"
                + "{\"medv.v1.Assistant\":true}},{\"name\":\"medv-gateway\",\"status\":\"UP\",\"data\":"
                + "{\"tokenizer\":\"loaded\",\"images\":\"%s\"}}]}";
        assertTrue(LocalStack.imagesServed(String.format(ready, "served")));
        assertFalse(LocalStack.imagesServed(String.format(ready,
                "refused: vision-service is not serving (NOT_SERVING)")));
        assertFalse(LocalStack.imagesServed("{\"status\":\"UP\",\"checks\":[]}"), "no gateway check yet");
        assertFalse(LocalStack.imagesServed("not json"));
    }

    @Test
    void withSeveralDenoisersTheStackWaitsUntilTheGatewaySeesEachReplicaServing() {
        // the gateway is ready once one replica serves; the other's first health answer may come later
        String ready = "{\"status\":\"UP\",\"checks\":[{\"name\":\"medv-gateway\",\"status\":\"UP\",\"data\":"
                + "{\"images\":\"served\",\"denoiser localhost:21102\":\"serving, 0 in flight\","
                + "\"denoiser localhost:21112\":\"%s\"}}]}";
        List<String> both = List.of("localhost:21102", "localhost:21112");
        assertTrue(LocalStack.everyReplicaServing(String.format(ready, "serving, 2 in flight"), both));
        assertFalse(LocalStack.everyReplicaServing(String.format(ready,
                "denoiser localhost:21112: health not known yet"), both));
        assertFalse(LocalStack.everyReplicaServing(String.format(ready, "serving, 0 in flight"),
                List.of("localhost:21102", "localhost:21122")), "a replica the gateway does not list");
        assertFalse(LocalStack.everyReplicaServing("not json", both));
    }
}
