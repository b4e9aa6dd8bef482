package org.medv.e2e;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.LocalStack;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.EncodeRequest;
import org.medv.proto.v1.VisionGrpc;
import org.medv.testkit.ClientPropertiesFile;
import org.medv.testkit.EmbeddedKafka;
import org.medv.testkit.TestCertificates;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * medv as {@code ./medv up --kafka HOST --kafka-config FILE --internal-tls-dir DIR --denoisers 2} starts it, against a broker
 * that lets in SASL_PLAINTEXT/PLAIN clients only, with a CA and certificates made at test time: the internal
 * services listen on loopback only, the model services take only clients with a certificate of the CA, and every
 * Kafka client of every service gets in with the file's settings (the gateway relays steps, the denoiser writes the
 * answer record, the evaluator reads its topics back before it is ready).
 */
class InternalSecurityE2ETest {
    private static final int GATEWAY_GRPC = 19050 + Stack.OFFSET;
    private static final int GATEWAY_HTTP = 18130 + Stack.OFFSET;
    private static final int VISION_GRPC = 19151 + Stack.OFFSET;
    private static final int VISION_HTTP = 18151 + Stack.OFFSET;
    private static final int DENOISER_GRPC = 19152 + Stack.OFFSET;
    private static final int DENOISER_HTTP = 18152 + Stack.OFFSET;
    private static final int EVALUATOR_HTTP = 18153 + Stack.OFFSET;

    private static EmbeddedKafka kafka;
    private static LocalStack stack;
    private static Path tls;
    private static Path clientFile;
    private static Path runDir;
    private static TestCertificates ca;

    @BeforeAll
    static void start() throws IOException {
        Path root = Stack.repoRoot();
        runDir = Files.createDirectories(root.resolve("e2e/target/secured-stack"));
        kafka = EmbeddedKafka.startSasl();
        kafka.createTopics(3, "medv.denoise.steps", "medv.answers");
        clientFile = runDir.resolve("kafka-client.properties");
        ClientPropertiesFile.write(clientFile, kafka.clientSecurity());
        tls = Files.createDirectories(runDir.resolve("tls"));
        ca = TestCertificates.authority("medv internal CA (e2e)");
        ca.writeCa(tls.resolve("ca.crt"));
        for (String name : List.of("vision", "denoiser", "gateway")) {
            ca.issue(name).write(tls.resolve(name + ".crt"), tls.resolve(name + ".key"));
        }
        // its own stack beside the shared one: on a machine busy with other builds, starting may take long
        // two denoisers: the gateway's channels to a list of replicas are secured like its single client
        stack = new LocalStack(settings(root)).kafkaConfig(clientFile).internalTls(tls).denoisers(2)
                .readyTimeout(Duration.ofMinutes(10)).start();
    }

    private static LocalStack.Settings settings(Path root) {
        return new LocalStack.Settings(root, root.resolve("models/demo"), runDir, kafka.bootstrapServers(), 0,
                GATEWAY_GRPC, GATEWAY_HTTP, VISION_GRPC, VISION_HTTP, DENOISER_GRPC, DENOISER_HTTP, 1, List.of(),
                EVALUATOR_HTTP, List.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void anAnswerFlowsThroughMutualTlsAndTheSaslBroker() throws Exception {
        ManagedChannel gateway = Grpc.newChannelBuilderForAddress("localhost", GATEWAY_GRPC,
                InsecureChannelCredentials.create()).build();
        try {
            Set<String> replicas = new TreeSet<>();
            for (int i = 0; i < 2; i++) { // one at a time: the least-loaded replica, round-robin among equals
                List<AnswerEvent> events = Clients.ask(gateway, Clients.request(Clients.png(64, 64, 7 + i),
                        "Which side are the lesions on?", 16, 16, 8));
                AnswerEvent last = events.get(events.size() - 1);
                assertTrue(last.getFinal(), "the stream ends with a final event");
                assertTrue(events.size() > 1, "steps were relayed from Kafka before the final event: "
                        + events.size());
                AnswerRecord record = awaitAnswer(last.getRequestId());
                assertEquals(last.getText(), record.getText());
                replicas.add(record.getDenoiserId());
            }
            assertEquals(Set.of("denoiser-0", "denoiser-1"), replicas, "each replica answered over mutual TLS");
        } finally {
            gateway.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String logs = readLogs();
        String password = kafka.clientSecurity().get("sasl.jaas.config").replaceAll(".*password=\"([^\"]+)\".*", "$1");
        assertTrue(password.endsWith("-secret"), password);
        assertFalse(logs.contains(password), "a service logged the Kafka password");
    }

    @Test
    void theModelServicesRefuseClientsWithoutACertificateOfTheCa() throws Exception {
        TlsChannelCredentials.Builder trustOnly = TlsChannelCredentials.newBuilder()
                .trustManager(tls.resolve("ca.crt").toFile());
        Path other = Files.createDirectories(runDir.resolve("other-ca"));
        TestCertificates.authority("not medv's CA").issue("intruder").write(other.resolve("c.crt"),
                other.resolve("c.key"));
        ChannelCredentials foreign = TlsChannelCredentials.newBuilder().trustManager(tls.resolve("ca.crt").toFile())
                .keyManager(other.resolve("c.crt").toFile(), other.resolve("c.key").toFile()).build();
        ChannelCredentials gatewayCert = TlsChannelCredentials.newBuilder()
                .trustManager(tls.resolve("ca.crt").toFile())
                .keyManager(tls.resolve("gateway.crt").toFile(), tls.resolve("gateway.key").toFile()).build();
        for (int port : List.of(VISION_GRPC, DENOISER_GRPC, stack.denoiserGrpcPort(1))) {
            assertEquals(Status.Code.UNAVAILABLE, call(port, InsecureChannelCredentials.create()), "plaintext " + port);
            assertEquals(Status.Code.UNAVAILABLE, call(port, trustOnly.build()), "no client certificate " + port);
            assertEquals(Status.Code.UNAVAILABLE, call(port, foreign), "another CA's certificate " + port);
            assertNotEquals(Status.Code.UNAVAILABLE, call(port, gatewayCert), "the CA's certificate " + port);
        }
    }

    /** The status of one cheap call (an empty Encode or Cancel): OK or a refusal of the request, or UNAVAILABLE. */
    private static Status.Code call(int port, ChannelCredentials credentials) throws InterruptedException {
        ManagedChannel ch = Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
        try {
            if (port == VISION_GRPC) {
                VisionGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .encode(EncodeRequest.getDefaultInstance());
            } else {
                DenoiserGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .cancel(CancelRequest.newBuilder().setRequestId("no-such-request").build());
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void onlyTheGatewayCanBeReachedFromAnotherAddress() throws IOException {
        List<Integer> internal = List.of(VISION_GRPC, VISION_HTTP, DENOISER_GRPC, DENOISER_HTTP, EVALUATOR_HTTP);
        for (int port : internal) {
            assertTrue(connects(InetAddress.getLoopbackAddress(), port), "loopback " + port);
        }
        Optional<InetAddress> external = nonLoopbackAddress();
        if (external.isPresent()) {
            for (int port : internal) {
                assertFalse(connects(external.get(), port), external.get() + ":" + port + " is reachable");
            }
            for (int port : List.of(GATEWAY_GRPC, GATEWAY_HTTP)) {
                assertTrue(connects(external.get(), port), "the gateway on " + external.get() + ":" + port);
            }
        }
        // the listening sockets themselves, as the kernel lists them
        for (int port : internal) {
            assertEquals(List.of("127.0.0.1"), listeningAddresses(port), "port " + port);
        }
    }

    @Test
    void withoutTheClientFileUpStopsBeforeStartingAnything() throws IOException {
        Path root = Stack.repoRoot();
        LocalStack plain = new LocalStack(new LocalStack.Settings(root, root.resolve("models/demo"),
                Files.createDirectories(runDir.resolve("plain")), kafka.bootstrapServers(), 0, 1, 1, 1, 1, 1, 1, 1,
                List.of(), 1, List.of()));
        IllegalStateException e = assertThrows(IllegalStateException.class, plain::start);
        assertTrue(e.getMessage().contains("did not let medv's client in") && e.getMessage().contains(
                "--kafka-config FILE"), e.getMessage());
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
    }

    /** Local addresses of the sockets listening on {@code port}, from /proc/net/tcp and tcp6 (Linux). */
    private static List<String> listeningAddresses(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        return Stream.of("/proc/net/tcp", "/proc/net/tcp6").map(Path::of).filter(Files::exists)
                .flatMap(f -> {
                    try {
                        return Files.readAllLines(f).stream().skip(1);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .map(l -> l.trim().split("\\s+"))
                .filter(c -> c[3].equals("0A") && c[1].endsWith(hexPort))
                .map(c -> address(c[1].substring(0, c[1].indexOf(':'))))
                .distinct().toList();
    }

    /** /proc/net's little-endian hex address, IPv4 or IPv4-mapped IPv6, as dotted quad; other IPv6 as is. */
    private static String address(String hex) {
        String v4 = hex.length() == 8 ? hex : hex.startsWith("0000000000000000FFFF0000") ? hex.substring(24) : null;
        if (v4 == null) {
            return hex;
        }
        return Integer.parseInt(v4.substring(6, 8), 16) + "." + Integer.parseInt(v4.substring(4, 6), 16) + "."
                + Integer.parseInt(v4.substring(2, 4), 16) + "." + Integer.parseInt(v4.substring(0, 2), 16);
    }

    private static AnswerRecord awaitAnswer(String requestId) throws Exception {
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put("group.id", "e2e-secured-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of("medv.answers"));
            long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (requestId.equals(r.key())) {
                        return AnswerRecord.parseFrom(r.value());
                    }
                }
            }
        }
        throw new AssertionError("no medv.answers record for " + requestId);
    }

    private static String readLogs() throws IOException {
        try (Stream<Path> files = Files.list(runDir.resolve("logs"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.toList()) {
                all.append(Files.readString(f));
            }
            return all.toString();
        }
    }
}
