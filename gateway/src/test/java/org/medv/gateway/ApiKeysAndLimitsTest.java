package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys and the per-key limits on both public ports, with a key file of six keys (each test uses its own, so the
 * limits' state of one test cannot reach another), one answer in flight and three asks a minute per key.
 */
@QuarkusTest
@TestProfile(ApiKeysAndLimitsTest.Keys.class)
class ApiKeysAndLimitsTest extends GatewayTestBase {
    /** Key i is on line i + 2 of the file (a comment and a blank line come first). */
    static final String[] KEYS = {"key-open-0123456789", "key-asks-0123456789", "key-rate-0123456789",
            "key-flow-0123456789", "key-chat-0123456789", "key-http-0123456789"};

    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("medv-api-keys", "");
                file.toFile().deleteOnExit();
                Files.writeString(file, "# test keys\n\n" + String.join("\n", KEYS) + "\n");
                return Map.of("medv.gateway.api-keys-file", file.toString(),
                        "medv.gateway.limits.streams-per-key", "1",
                        "medv.gateway.limits.requests-per-key-per-minute", "3");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    GatewaySecurity security;

    private static final String ASK_JSON = "{\"question\":\"Is there an effusion?\",\"options\":{\"gen_length\":8,"
            + "\"block_length\":8,\"steps\":4}}";
    private static final String CHAT_JSON = "{\"messages\":[{\"role\":\"user\",\"content\":\"Which side?\"}],"
            + "\"max_tokens\":8}";

    private static AssistantGrpc.AssistantBlockingStub assistant(String authorization) {
        Metadata md = new Metadata();
        md.put(GrpcAuthInterceptor.AUTHORIZATION, authorization);
        return assistant().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key);
    }

    private static AnswerEvent askOnce(String key) {
        return assistant("Bearer " + key).askOnce(ask(8, 8, 4).build());
    }

    @Test
    void healthThePageAndGrpcHealthStayOpen() {
        assertEquals(200, RestAssured.get("/q/health/ready").statusCode());
        assertEquals(200, RestAssured.get("/q/health/live").statusCode());
        assertEquals(200, RestAssured.get("/").statusCode(), "the page loads, then asks for a key");
        assertEquals(200, RestAssured.get("/stream.js").statusCode());
        assertEquals(404, RestAssured.get("/v1/model/examples/none.png").statusCode(),
                "the example images are open (thumbnails load without headers): past the key check, not found");
        assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(AssistantGrpc.SERVICE_NAME).build()).getStatus());
    }

    @Test
    void withoutAValidKeyEveryApiCallIsRefusedBeforeItsBodyIsRead() {
        int starts = backends.starts.size();
        for (RequestSpecification who : new RequestSpecification[] {RestAssured.given(),
                RestAssured.given().header("Authorization", "Bearer key-none-0123456789"),
                RestAssured.given().header("Authorization", KEYS[0]),
                RestAssured.given().header("Authorization", "Basic " + KEYS[0])}) {
            Response ask = who.contentType("application/json").body(ASK_JSON).post("/v1/ask");
            assertEquals(401, ask.statusCode(), ask.asString());
            assertEquals("Bearer", ask.header("WWW-Authenticate"));
            assertEquals("UNAUTHENTICATED", ask.jsonPath().getString("error.code"));
            assertEquals("Authorization", ask.jsonPath().getString("error.field"));
            assertEquals(GatewaySecurity.UNAUTHENTICATED, ask.jsonPath().getString("error.message"));
            assertEquals(401, who.get("/v1/model").statusCode());
            Response chat = who.contentType("application/json").body(CHAT_JSON).post("/v1/chat/completions");
            assertEquals(401, chat.statusCode(), chat.asString());
            assertEquals("invalid_api_key", chat.jsonPath().getString("error.code"));
            assertEquals("invalid_request_error", chat.jsonPath().getString("error.type"));
            assertEquals(401, who.get("/v1/models").statusCode());
            assertEquals(401, who.get("//v1/models").statusCode(), "doubled slashes are the same path");
        }
        for (String authorization : new String[] {"Bearer key-none-0123456789", KEYS[0], "Bearer"}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> assistant(authorization).askOnce(ask(8, 8, 4).build()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertEquals(GatewaySecurity.UNAUTHENTICATED, e.getStatus().getDescription());
        }
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
                () -> assistant().askOnce(ask(8, 8, 4).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertEquals(starts, backends.starts.size(), "no refused call reached the denoiser");
    }

    @Test
    void aValidKeyAsksOnEveryEntryPoint() {
        AnswerEvent last = askOnce(KEYS[1]);
        assertTrue(last.getFinal());
        assertEquals(FakeBackends.ANSWER, last.getText());
        Response sse = as(KEYS[1]).contentType("application/json").body(ASK_JSON).post("/v1/ask");
        assertEquals(200, sse.statusCode(), sse.asString());
        assertTrue(sse.asString().contains("event:final"), sse.asString());
        assertEquals(200, as(KEYS[1]).get("/v1/model").statusCode());
        assertEquals(200, as(KEYS[1]).get("/v1/models").statusCode());
        Response chat = as(KEYS[4]).contentType("application/json").accept("application/json").body(CHAT_JSON)
                .post("/v1/chat/completions");
        assertEquals(200, chat.statusCode(), chat.asString());
        assertEquals(FakeBackends.ANSWER, chat.jsonPath().getString("choices[0].message.content"));
    }

    @Test
    void theFourthAskOfAKeyInAMinuteIsRefusedWithRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertTrue(askOnce(KEYS[2]).getFinal());
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> askOnce(KEYS[2]));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("requests-per-key-per-minute=3"), e.getMessage());
        assertRetryAfter(Integer.parseInt(e.getTrailers().get(GrpcAuthInterceptor.RETRY_AFTER)));

        Response ask = as(KEYS[2]).contentType("application/json").body(ASK_JSON).post("/v1/ask");
        assertEquals(429, ask.statusCode(), ask.asString());
        assertEquals("RESOURCE_EXHAUSTED", ask.jsonPath().getString("error.code"));
        assertRetryAfter(Integer.parseInt(ask.header("Retry-After")));
        Response chat = as(KEYS[2]).contentType("application/json").body(CHAT_JSON).post("/v1/chat/completions");
        assertEquals(429, chat.statusCode(), chat.asString());
        assertEquals("rate_limit_error", chat.jsonPath().getString("error.type"));
        assertEquals("rate_limit_exceeded", chat.jsonPath().getString("error.code"));
        assertRetryAfter(Integer.parseInt(chat.header("Retry-After")));
        assertEquals(200, as(KEYS[2]).get("/v1/model").statusCode(), "only asks count");
    }

    /** The window's oldest start leaves within the minute. */
    private static void assertRetryAfter(int seconds) {
        assertTrue(seconds >= 1 && seconds <= 60, "Retry-After " + seconds);
    }

    @Test
    void aSecondGrpcStreamOfAKeyIsRefusedUntilTheFirstEnds() throws Exception {
        Context.CancellableContext call = Context.current().withCancellation();
        CompletableFuture<String> first = new CompletableFuture<>();
        AskRequest endless = ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("script", "endless"))
                .build();
        Metadata md = new Metadata();
        md.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + KEYS[3]);
        call.run(() -> AssistantGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .ask(endless, new StreamObserver<>() {
                    @Override
                    public void onNext(AnswerEvent e) {
                        first.complete(e.getRequestId());
                    }

                    @Override
                    public void onError(Throwable t) {
                        first.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        String id = first.get(30, TimeUnit.SECONDS);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> askOnce(KEYS[3]));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("1 answers in flight (medv.gateway.limits"
                + ".streams-per-key=1)"), e.getMessage());
        assertEquals("1", e.getTrailers().get(GrpcAuthInterceptor.RETRY_AFTER));
        Response http = as(KEYS[3]).contentType("application/json").body(ASK_JSON).post("/v1/ask");
        assertEquals(429, http.statusCode(), http.asString());
        assertEquals("1", http.header("Retry-After"));

        call.cancel(null);
        backends.cancelOf(id).get(30, TimeUnit.SECONDS);
        awaitZero(() -> security.inFlight("key at line 6"));
        assertTrue(askOnce(KEYS[3]).getFinal(), "the slot is free again");
    }

    @Test
    void anSseStreamHoldsItsKeysSlotUntilItsConnectionCloses() throws Exception {
        String body = "{\"question\":\"hi\",\"options\":{\"gen_length\":8,\"block_length\":8,\"steps\":4},"
                + "\"metadata\":{\"labels\":{\"script\":\"endless\"}}}";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> res = client.send(HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/ask"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEYS[5])
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, res.statusCode());
        String id = null;
        BufferedReader lines = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null && id == null; line = lines.readLine()) {
            if (line.startsWith("data:")) {
                id = line.replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
            }
        }
        assertNotNull(id, "a first draft arrived");
        assertEquals(1, security.inFlight("key at line 8"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> askOnce(KEYS[5]));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), "one slot across both ports");

        lines.close();
        backends.cancelOf(id).get(30, TimeUnit.SECONDS);
        awaitZero(() -> security.inFlight("key at line 8"));
        assertTrue(askOnce(KEYS[5]).getFinal());
    }

    /** Waits for the server side of a closed call to let go of its slot (it follows the close, not before it). */
    private static void awaitZero(IntSupplier inFlight) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (inFlight.getAsInt() != 0) {
            assertTrue(System.nanoTime() < until, "the slot was never released");
            sleep(10);
        }
    }
}
