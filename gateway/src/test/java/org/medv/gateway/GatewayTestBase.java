package org.medv.gateway;

import org.medv.testkit.DemoModelTestResource;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.GenerationOptions;
import org.medv.testkit.KafkaTestResource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The app with the in-process broker, the demo model and the fake vision/denoiser; helpers for the tests. The demo
 * model declares sampler defaults unlike LLaDA-MedV's 128 / 128 / 128 greedy (see {@link AskDefaultsTest}).
 */
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = DemoModelTestResource.class, initArgs = {
        @ResourceArg(name = "gen_length", value = "16"), @ResourceArg(name = "block_length", value = "8"),
        @ResourceArg(name = "steps", value = "16"), @ResourceArg(name = "temperature", value = "0.5")})
abstract class GatewayTestBase {
    static final byte[] IMAGE = "\u0089PNG fake image bytes".getBytes(StandardCharsets.ISO_8859_1);

    static FakeBackends backends;
    static ManagedChannel channel;

    @BeforeAll
    static void setUp() {
        var config = ConfigProvider.getConfig();
        backends = new FakeBackends(config.getValue("quarkus.grpc.clients.vision.port", Integer.class),
                config.getValue("quarkus.grpc.clients.denoiser.port", Integer.class),
                config.getValue("kafka.bootstrap.servers", String.class), config.getValue("medv.topics.steps",
                String.class), Path.of(config.getValue("medv.model.dir", String.class)));
        channel = ManagedChannelBuilder.forAddress("localhost", config.getValue("quarkus.grpc.server.test-port",
                Integer.class)).usePlaintext().maxInboundMessageSize(64 << 20).build();
        // Quarkus points RestAssured at the app before each test, not yet in @BeforeAll
        RestAssured.port = config.getValue("quarkus.http.test-port", Integer.class);
        awaitReady();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        backends.close();
    }

    static void awaitReady() {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            if (RestAssured.get("/q/health/ready").statusCode() == 200) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("gateway never became ready: " + RestAssured.get("/q/health/ready").asString());
    }

    /** After hostile input: the gateway is still ready and still answers a plain request. */
    static void assertReadyAndServing() {
        org.junit.jupiter.api.Assertions.assertEquals(200, RestAssured.get("/q/health/ready").statusCode());
        org.junit.jupiter.api.Assertions.assertEquals(FakeBackends.ANSWER,
                assistant().askOnce(ask(8, 8, 4).build()).getText());
    }

    static AssistantGrpc.AssistantBlockingStub assistant() {
        return AssistantGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static AskRequest.Builder ask(int gen, int block, int steps) {
        return AskRequest.newBuilder().setImage(ByteString.copyFrom(IMAGE)).setQuestion("Is there an effusion?")
                .setOptions(GenerationOptions.newBuilder().setGenLength(gen).setBlockLength(block).setSteps(steps));
    }

    static List<String> consumerGroups() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", bootstrap))) {
            return admin.listGroups().all().get(10, TimeUnit.SECONDS).stream().map(g -> g.groupId()).toList();
        } catch (Exception e) {
            throw new AssertionError("cannot list consumer groups", e);
        }
    }

    static double metric(String name) {
        String text = RestAssured.get("/q/metrics").asString();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
