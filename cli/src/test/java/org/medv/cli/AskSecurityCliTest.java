package org.medv.cli;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.testkit.TestCertificates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medv ask} against a gateway that speaks TLS only and wants an API key (as {@code ./medv up --tls-cert
 * --tls-key --api-keys} runs it): a gRPC server on loopback with a certificate of a CA made here, which answers only
 * calls carrying {@code authorization: Bearer} with the key, UNAUTHENTICATED otherwise.
 */
class AskSecurityCliTest {
    private static final String KEY = "k-3f9a0c1d2e4b5a6978877665544332211";
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    @TempDir
    static Path dir;
    private static Server server;

    @BeforeAll
    static void start() throws IOException {
        TestCertificates ca = TestCertificates.authority("medv test CA (ask)");
        ca.writeCa(dir.resolve("ca.crt"));
        ca.issue("localhost").write(dir.resolve("gateway.crt"), dir.resolve("gateway.key"));
        Files.writeString(dir.resolve("key.txt"), "# my medv key\n\n" + KEY + "\n");
        Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        ServerInterceptor keys = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String given = headers.get(auth);
                AUTHORIZATIONS.add(String.valueOf(given));
                if (!("Bearer " + KEY).equals(given)) {
                    call.close(Status.UNAUTHENTICATED.withDescription("a valid API key is required"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
        server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.create(dir.resolve("gateway.crt").toFile(),
                        dir.resolve("gateway.key").toFile()))
                .addService(ServerInterceptors.intercept(new AssistantGrpc.AssistantImplBase() {
                    @Override
                    public void ask(AskRequest request, StreamObserver<AnswerEvent> out) {
                        out.onNext(AnswerEvent.newBuilder().setFinal(true).setText("left").build());
                        out.onCompleted();
                    }
                }, keys)).build().start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static GenerateGoldenCliTest.Result ask(String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of("ask", "--port", Integer.toString(server.getPort()),
                "--quiet"));
        args.addAll(List.of(flags));
        args.add("Which side?");
        return GenerateGoldenCliTest.medv(args.toArray(String[]::new));
    }

    @Test
    void withTheCaAndTheKeyTheAnswerComes() {
        AUTHORIZATIONS.clear();
        GenerateGoldenCliTest.Result r = ask("--cacert", dir.resolve("ca.crt").toString(), "--api-key-file",
                dir.resolve("key.txt").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("left", r.out().trim());
        assertEquals(List.of("Bearer " + KEY), AUTHORIZATIONS, "the key, once, as a bearer token");
    }

    @Test
    void withoutAKeyTheRefusalSaysHowToGiveOne() {
        GenerateGoldenCliTest.Result r = ask("--cacert", dir.resolve("ca.crt").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("medv: UNAUTHENTICATED: a valid API key is required (no key was sent: set "
                + "MEDV_API_KEY or give --api-key-file)"), r.err());
    }

    @Test
    void plaintextOrAnUntrustedServerIsNotSpokenTo() {
        GenerateGoldenCliTest.Result plain = ask("--api-key-file", dir.resolve("key.txt").toString());
        assertEquals(1, plain.code(), plain.err());
        assertTrue(plain.err().startsWith("medv: UNAVAILABLE"), plain.err());
        GenerateGoldenCliTest.Result jvmTrust = ask("--tls", "--api-key-file", dir.resolve("key.txt").toString());
        assertEquals(1, jvmTrust.code(), jvmTrust.err());
        assertTrue(jvmTrust.err().startsWith("medv: UNAVAILABLE"), "the JVM's CAs do not know ours: "
                + jvmTrust.err());
    }

    @Test
    void badKeyAndCertificateFilesAreNamed() throws IOException {
        GenerateGoldenCliTest.Result missing = ask("--cacert", dir.resolve("ca.crt").toString(), "--api-key-file",
                dir.resolve("nope.txt").toString());
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("invalid api-key-file: cannot read " + dir.resolve("nope.txt")),
                missing.err());
        GenerateGoldenCliTest.Result cacert = ask("--cacert", dir.resolve("key.txt").toString());
        assertEquals(2, cacert.code(), cacert.err());
        assertTrue(cacert.err().contains("invalid cacert: cannot read a PEM certificate from "
                + dir.resolve("key.txt")), cacert.err());

        Path comments = Files.writeString(dir.resolve("comments.txt"), "# only a comment\n");
        InvalidRequestException empty = assertThrows(InvalidRequestException.class,
                () -> AskCommand.apiKey(comments, null));
        assertTrue(empty.getMessage().contains("holds no key"), empty.getMessage());
    }

    @Test
    void theKeyComesFromTheFileElseTheEnvironment() {
        assertEquals(KEY, AskCommand.apiKey(dir.resolve("key.txt"), "from-the-environment"));
        assertEquals("from-the-environment", AskCommand.apiKey(null, " from-the-environment\n"));
        assertNull(AskCommand.apiKey(null, null));
        assertNull(AskCommand.apiKey(null, "  "));
        InvalidRequestException spaced = assertThrows(InvalidRequestException.class,
                () -> AskCommand.apiKey(null, "two words"));
        assertTrue(spaced.getMessage().contains("printable ASCII without spaces"), spaced.getMessage());
    }
}
