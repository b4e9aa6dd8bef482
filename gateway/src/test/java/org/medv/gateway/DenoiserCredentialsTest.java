package org.medv.gateway;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.proto.v1.CancelReply;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.testkit.TestCertificates;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listed denoiser replicas' channels ({@code medv.gateway.denoisers}) are secured as the configured client
 * ({@code quarkus.grpc.clients.denoiser.*}, what {@code ./medv up --internal-tls-dir} sets): checked against a real
 * gRPC server on loopback that requires a client certificate of the CA, as denoiser-service does under mTLS.
 */
class DenoiserCredentialsTest {
    @TempDir
    static Path dir;
    private static Server server;

    @BeforeAll
    static void start() throws IOException {
        TestCertificates ca = TestCertificates.authority("medv internal CA (gateway test)");
        ca.writeCa(dir.resolve("ca.crt"));
        for (String name : new String[] {"denoiser", "gateway"}) {
            ca.issue(name).write(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        }
        TestCertificates.authority("another CA").issue("intruder").write(dir.resolve("other.crt"),
                dir.resolve("other.key"));
        server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder()
                        .keyManager(dir.resolve("denoiser.crt").toFile(), dir.resolve("denoiser.key").toFile())
                        .trustManager(dir.resolve("ca.crt").toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
                .addService(new DenoiserGrpc.DenoiserImplBase() {
                    @Override
                    public void cancel(CancelRequest req, StreamObserver<CancelReply> out) {
                        out.onNext(CancelReply.newBuilder().build());
                        out.onCompleted();
                    }
                }).build().start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void withoutTlsSettingsTheChannelsArePlaintext() {
        assertInstanceOf(InsecureChannelCredentials.class, DenoiserPool.credentials(config(Map.of())));
        // Quarkus' default negotiation-type is tls even for a plaintext client: it alone decides nothing
        assertInstanceOf(InsecureChannelCredentials.class, DenoiserPool.credentials(config(Map.of(
                DenoiserPool.CLIENT + "negotiation-type", "tls"))));
        Map<String, String> forcedPlain = tls("gateway");
        forcedPlain.put(DenoiserPool.CLIENT + "plain-text", "true");
        assertInstanceOf(InsecureChannelCredentials.class, DenoiserPool.credentials(config(forcedPlain)));
    }

    @Test
    void withTheGatewaysCertificateTheReplicaAnswers() throws InterruptedException {
        assertEquals(Status.Code.OK, cancel(DenoiserPool.credentials(config(tls("gateway")))));
    }

    @Test
    void withoutACertificateOfTheCaTheReplicaRefuses() throws InterruptedException {
        assertThrows(IllegalStateException.class, () -> DenoiserPool.credentials(config(Map.of(
                DenoiserPool.CLIENT + "ssl.certificate", dir.resolve("gateway.crt").toString()))),
                "a certificate without its key");
        assertEquals(Status.Code.UNAVAILABLE, cancel(DenoiserPool.credentials(config(Map.of(
                DenoiserPool.CLIENT + "ssl.trust-store", dir.resolve("ca.crt").toString())))), "no client certificate");
        assertEquals(Status.Code.UNAVAILABLE, cancel(DenoiserPool.credentials(config(tls("other")))),
                "another CA's certificate");
        assertEquals(Status.Code.UNAVAILABLE, cancel(InsecureChannelCredentials.create()), "plaintext");
    }

    @Test
    void anUnreadableFileIsNamed() {
        Map<String, String> missing = tls("gateway");
        missing.put(DenoiserPool.CLIENT + "ssl.trust-store", dir.resolve("no-such-ca.crt").toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DenoiserPool.credentials(config(missing)));
        assertTrue(e.getMessage().startsWith("cannot read quarkus.grpc.clients.denoiser.ssl.trust-store"),
                e.getMessage());
    }

    private static Map<String, String> tls(String client) {
        Map<String, String> m = new HashMap<>();
        m.put(DenoiserPool.CLIENT + "negotiation-type", "tls");
        m.put(DenoiserPool.CLIENT + "ssl.trust-store", dir.resolve("ca.crt").toString());
        m.put(DenoiserPool.CLIENT + "ssl.certificate", dir.resolve(client + ".crt").toString());
        m.put(DenoiserPool.CLIENT + "ssl.key", dir.resolve(client + ".key").toString());
        return m;
    }

    private static Config config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "test", 500)).build();
    }

    /** One Cancel to the server through channels built as the pool builds them: OK, or the failure's code. */
    private static Status.Code cancel(ChannelCredentials credentials) throws InterruptedException {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), credentials).build();
        try {
            DenoiserGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .cancel(CancelRequest.newBuilder().setRequestId("r").build());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
