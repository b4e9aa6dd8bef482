package org.medv.gateway;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.StartRequest;
import org.medv.serving.Statuses;
import org.medv.testkit.KafkaTestResource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DemoModelResource.class)
class GatewayTest {
    private static final byte[] IMAGE = "\u0089PNG fake image bytes".getBytes(StandardCharsets.ISO_8859_1);

    private static FakeBackends backends;
    private static ManagedChannel channel;

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

    private static void awaitReady() {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            if (RestAssured.get("/q/health/ready").statusCode() == 200) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("gateway never became ready: " + RestAssured.get("/q/health/ready").asString());
    }

    private static AssistantGrpc.AssistantBlockingStub assistant() {
        return AssistantGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static AskRequest.Builder ask(int gen, int block, int steps) {
        return AskRequest.newBuilder().setImage(ByteString.copyFrom(IMAGE)).setQuestion("Is there an effusion?")
                .setOptions(GenerationOptions.newBuilder().setGenLength(gen).setBlockLength(block).setSteps(steps));
    }

    @Test
    void readinessIsUpWithTokenizerAndAssignment() {
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("medv-gateway"));
    }

    @Test
    void pageHasTheControls() {
        String page = RestAssured.get("/").then().statusCode(200).extract().asString();
        for (String id : List.of("image", "question", "gen-length", "steps", "block-length", "ask", "status", "draft",
                "answer")) {
            assertTrue(page.contains("id=\"" + id + "\""), "page lacks id " + id);
        }
        assertFalse(page.contains("http://") || page.contains("https://"), "the page loads nothing external");
    }

    @Test
    void askStreamsDraftsWithPlaceholdersThenOneFinal() {
        List<AnswerEvent> events = new ArrayList<>();
        assistant().ask(ask(16, 16, 8).build()).forEachRemaining(events::add);

        AnswerEvent last = events.get(events.size() - 1);
        assertTrue(last.getFinal());
        assertEquals(1, events.stream().filter(AnswerEvent::getFinal).count());
        assertEquals(FakeBackends.ANSWER, last.getText());
        assertEquals(FinishReason.FINISH_REASON_STOP, last.getFinishReason());
        assertTrue(events.size() >= 2, "drafts before the final event: " + events.size());
        AnswerEvent draft = events.get(0);
        assertFalse(draft.getFinal());
        assertTrue(draft.getDraft().contains("\u2591"), draft.getDraft());
        assertEquals("\u2591", draft.getPlaceholder());
        String id = last.getRequestId();
        assertTrue(events.stream().allMatch(e -> e.getRequestId().equals(id)), "only this request's events");
        assertEquals(8, last.getTotalSteps());

        StartRequest start = backends.startOf(id);
        assertNotNull(start, "Denoiser.Start was called with the gateway's request id");
        assertFalse(start.getGatewayId().isEmpty());
        assertEquals(1, start.getImagesCount());
        assertEquals(FakeBackends.IMAGE_ROWS, start.getImages(0).getRows());
        assertTrue(start.getPromptIdsList().contains(-200), "image placeholder in the prompt");
        assertTrue(start.getDeadlineUnixMs() > System.currentTimeMillis(), "the client's deadline is passed on");
        assertTrue(start.getReceivedUnixMs() > 0);
        assertTrue(last.getTimings().getTotalMs() >= 0);
        assertEquals(1, last.getTimings().getQueueMs());
    }

    @Test
    void askOnceReturnsOnlyTheFinalEvent() {
        AnswerEvent e = assistant().askOnce(ask(8, 8, 4).clearImage().build());
        assertTrue(e.getFinal());
        assertEquals(FakeBackends.ANSWER, e.getText());
        StartRequest start = backends.startOf(e.getRequestId());
        assertEquals(0, start.getImagesCount());
        assertFalse(start.getPromptIdsList().contains(-200), "no image placeholder without an image");
    }

    @Test
    void eventsOfOtherRequestsAreNeverDelivered() {
        double ignoredBefore = metric("medv_gateway_events_ignored_total");
        String stranger = "not-ours-" + UUID.randomUUID();
        backends.publishForeign(stranger, 8);
        List<AnswerEvent> events = new ArrayList<>();
        assistant().ask(ask(8, 8, 4).build()).forEachRemaining(events::add);
        String id = events.get(0).getRequestId();
        assertTrue(events.stream().allMatch(e -> e.getRequestId().equals(id)));
        assertTrue(events.stream().noneMatch(e -> e.getText().equals(FakeBackends.FOREIGN)));
        // the stranger's two events and the interleaved foreign run were read and dropped
        assertTrue(metric("medv_gateway_events_ignored_total") >= ignoredBefore + 2);
    }

    @Test
    void clientCancelCancelsTheGeneration() throws Exception {
        CompletableFuture<String> firstEvent = new CompletableFuture<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        AskRequest req = ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("script", "slow")).build();
        AssistantGrpc.newStub(channel).ask(req, new ClientResponseObserver<AskRequest, AnswerEvent>() {
            private ClientCallStreamObserver<AskRequest> call;

            @Override
            public void beforeStart(ClientCallStreamObserver<AskRequest> requestStream) {
                call = requestStream;
            }

            @Override
            public void onNext(AnswerEvent e) {
                if (firstEvent.complete(e.getRequestId())) {
                    call.cancel("the user closed the tab", null);
                }
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        });
        String id = firstEvent.get(20, TimeUnit.SECONDS);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!backends.cancels.contains(id) && System.nanoTime() < until) {
            sleep(50);
        }
        assertTrue(backends.cancels.contains(id), "Denoiser.Cancel called for " + id);
        assertEquals(Status.Code.CANCELLED, Status.fromThrowable(ended.get(5, TimeUnit.SECONDS)).getCode());
    }

    @Test
    void fullQueueIsResourceExhaustedAndHttp429() {
        AskRequest req = ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("script", "full")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> assistant().ask(req).forEachRemaining(x -> { }));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("queue is full"));

        RestAssured.given().contentType("application/json")
                .body("{\"question\":\"hi\",\"options\":{\"gen_length\":8,\"block_length\":8,\"steps\":4},"
                        + "\"metadata\":{\"labels\":{\"script\":\"full\"}}}")
                .post("/v1/ask").then().statusCode(429).body("error.code", equalTo("RESOURCE_EXHAUSTED"));
    }

    @Test
    void visionRejectionPassesThrough() {
        AskRequest req = ask(8, 8, 4).setImage(ByteString.copyFromUtf8("BAD image")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> assistant().askOnce(req));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("image", e.getTrailers().get(Statuses.FIELD));
        assertTrue(e.getStatus().getDescription().startsWith("invalid image"));

        RestAssured.given().multiPart("image", "x.png", "BAD image".getBytes(StandardCharsets.US_ASCII), "image/png")
                .multiPart("question", "what is it?").post("/v1/ask")
                .then().statusCode(400).body("error.field", equalTo("image"));
    }

    @Test
    void badInputIsInvalidArgumentNamingTheFieldOnBothEntryPoints() {
        byte[] big = new byte[20 * 1024 * 1024 + 1];
        List<Object[]> cases = List.of(
                new Object[]{ask(8, 8, 4).setQuestion("").build(), "question", "", "8", "8", "4", null},
                new Object[]{ask(8, 8, 4).setImage(ByteString.copyFrom(big)).build(), "image", "q", "8", "8", "4",
                        null},
                new Object[]{ask(8, 8, 4).setOptions(GenerationOptions.newBuilder().setRemaskingValue(9)).build(),
                        "remasking", "q", "8", "8", "4", "sideways"},
                new Object[]{ask(20, 8, 4).build(), "block_length", "q", "20", "8", "4", null},
                new Object[]{ask(16, 8, 3).build(), "steps", "q", "16", "8", "3", null},
                new Object[]{ask(4096, 4096, 1).build(), "gen_length", "q", "4096", "4096", "1", null});
        for (Object[] c : cases) {
            AskRequest req = (AskRequest) c[0];
            String field = (String) c[1];
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> assistant().ask(req).forEachRemaining(x -> { }), field);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), field);
            assertTrue(e.getStatus().getDescription().startsWith("invalid " + field + ": "),
                    e.getStatus().getDescription());
            assertEquals(field, e.getTrailers().get(Statuses.FIELD));

            var http = RestAssured.given().multiPart("question", (String) c[2]).multiPart("gen_length", (String) c[3])
                    .multiPart("block_length", (String) c[4]).multiPart("steps", (String) c[5]);
            if (field.equals("image")) {
                http = http.multiPart("image", "big.png", big, "image/png");
            }
            if (c[6] != null) {
                http = http.multiPart("remasking", (String) c[6]);
            }
            Response r = http.post("/v1/ask");
            assertEquals(400, r.statusCode(), field + ": " + r.asString());
            assertEquals(field, r.jsonPath().getString("error.field"));
            assertEquals("INVALID_ARGUMENT", r.jsonPath().getString("error.code"));
            assertTrue(r.jsonPath().getString("error.message").startsWith("invalid " + field + ": "));
        }
        RestAssured.given().contentType("application/json").body("{\"question\":\"  \"}").post("/v1/ask")
                .then().statusCode(400).body("error.field", equalTo("question"));
        // and it keeps serving
        assertEquals(FakeBackends.ANSWER, assistant().askOnce(ask(8, 8, 4).build()).getText());
    }

    @Test
    void sseMultipartStreamsDraftEventsThenFinal() {
        Response r = RestAssured.given().multiPart("image", "scan.png", IMAGE, "image/png")
                .multiPart("question", "Is there an effusion?").multiPart("gen_length", "16")
                .multiPart("block_length", "16").multiPart("steps", "8").multiPart("remasking", "low_confidence")
                .post("/v1/ask");
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("text/event-stream"), r.contentType());
        List<String[]> events = SseParsing.parse(r.asString());
        assertTrue(events.size() >= 2, r.asString());
        assertEquals("draft", events.get(0)[0]);
        assertTrue(events.get(0)[1].contains("\u2591"), events.get(0)[1]);
        String[] last = events.get(events.size() - 1);
        assertEquals("final", last[0]);
        assertEquals(1, events.stream().filter(e -> e[0].equals("final")).count());
        assertTrue(last[1].contains("\"text\":\"" + FakeBackends.ANSWER + "\""), last[1]);
    }

    @Test
    void sseJsonStreamsDraftEventsThenFinal() throws Exception {
        String body = "{\"image\":\"" + java.util.Base64.getEncoder().encodeToString(IMAGE) + "\","
                + "\"question\":\"Is there an effusion?\",\"options\":{\"gen_length\":8,\"block_length\":8,"
                + "\"steps\":4,\"remasking\":\"random\"},\"metadata\":{\"correlation_id\":\"c-1\"}}";
        var client = java.net.http.HttpClient.newHttpClient();
        var res = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/ask"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        List<String[]> events = SseParsing.parse(res.body());
        assertEquals("final", events.get(events.size() - 1)[0]);
        assertTrue(events.stream().anyMatch(e -> e[0].equals("draft")), res.body());
        String id = events.get(0)[1].replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
        StartRequest start = backends.startOf(id);
        assertEquals("c-1", start.getMetadata().getCorrelationId());
        assertEquals(org.medv.proto.v1.Remasking.REMASKING_RANDOM, start.getOptions().getRemasking());
    }

    private static double metric(String name) {
        String text = RestAssured.get("/q/metrics").asString();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
