package org.medv.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.VisionGrpc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every accepted request ends, and none is accepted before the gateway can serve it: with the stall timeout at 3 s
 * and the HTTP maximum duration at 4 s, a denoiser stand-in that acks Start and then never publishes (or stops
 * after two drafts) ends every kind of client with a terminal FAILED/UNAVAILABLE naming the stall; a backend that
 * is not serving makes every entry point answer UNAVAILABLE / 503 with Retry-After at once; a final published into
 * a partition added to the steps topic after the request began still arrives. Waits are on events (futures), with
 * bounds only so that a failure cannot hang the build.
 */
@QuarkusTest
@TestProfile(ShortTimeoutsTest.ShortTimeouts.class)
class ShortTimeoutsTest extends GatewayTestBase {
    private static final long STALL_MS = 3000;
    private static final long MAX_MS = 4000;
    private static final String STALLED = "denoiser-service stalled: no event for this request in 3 s "
            + "(medv.gateway.stall-timeout); the generation was cancelled";
    private static final String STALLS = "medv_gateway_timeouts_total{kind=\"stall\"}";

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("medv.gateway.stall-timeout", "3s", "medv.gateway.sse-max-duration", "4s",
                    "medv.gateway.steps-partitions-refresh", "500ms");
        }
    }

    @Inject
    ServingGate gate;

    private static AskRequest scripted(String script) {
        return ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("script", script)).build();
    }

    /** A gRPC call's events, with no deadline: only the gateway can end it. */
    private static final class Events implements StreamObserver<AnswerEvent> {
        final List<AnswerEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> first = new CompletableFuture<>();
        final CompletableFuture<List<AnswerEvent>> done = new CompletableFuture<>();

        static Events of(BiConsumer<AskRequest, StreamObserver<AnswerEvent>> call, AskRequest req) {
            Events e = new Events();
            call.accept(req, e);
            return e;
        }

        @Override
        public void onNext(AnswerEvent e) {
            events.add(e);
            first.complete(e.getRequestId());
        }

        @Override
        public void onError(Throwable t) {
            first.completeExceptionally(t);
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(events);
        }
    }

    private static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().sendAsync(HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
    }

    private static void assertStalled(AnswerEvent last) {
        assertTrue(last.getFinal());
        assertEquals(FinishReason.FINISH_REASON_FAILED, last.getFinishReason());
        assertEquals("UNAVAILABLE", last.getError().getCode());
        assertEquals(STALLED, last.getError().getMessage());
    }

    private static long msSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void aStreamWithoutDeadlineWhoseDenoiserNeverPublishesEndsAfterTheStallTimeout() throws Exception {
        double stalls = metric(STALLS);
        long t0 = System.nanoTime();
        Events call = Events.of(AssistantGrpc.newStub(channel)::ask, scripted("silent"));
        List<AnswerEvent> events = call.done.get(30, TimeUnit.SECONDS);
        long ms = msSince(t0);
        assertEquals(1, events.size(), "no draft, one final");
        assertStalled(events.get(0));
        assertTrue(ms >= STALL_MS && ms < STALL_MS + 3000, "ended " + ms + " ms after the request");
        backends.cancelOf(events.get(0).getRequestId()).get(10, TimeUnit.SECONDS);
        assertEquals(stalls + 1, metric(STALLS));
    }

    @Test
    void askOnceEndsTheSameWay() throws Exception {
        double stalls = metric(STALLS);
        Events call = Events.of(AssistantGrpc.newStub(channel)::askOnce, scripted("silent"));
        List<AnswerEvent> events = call.done.get(30, TimeUnit.SECONDS);
        assertEquals(1, events.size());
        assertStalled(events.get(0));
        assertEquals(stalls + 1, metric(STALLS));
    }

    @Test
    void anSseStreamWhoseDenoiserDiesMidRequestEndsWithAFailedFinal() throws Exception {
        double stalls = metric(STALLS);
        HttpResponse<String> r = post("/v1/ask", "application/json", "{\"question\":\"hi\",\"options\":{"
                + "\"gen_length\":8,\"block_length\":8,\"steps\":4},\"metadata\":{\"labels\":{\"script\":\"dies\"}}}");
        assertEquals(200, r.statusCode(), r.body());
        List<String[]> events = SseParsing.parse(r.body());
        String[] last = events.get(events.size() - 1);
        assertEquals("final", last[0]);
        assertTrue(events.subList(0, events.size() - 1).stream().allMatch(e -> e[0].equals("draft")), r.body());
        JsonPath f = JsonPath.from(last[1]);
        assertEquals("FINISH_REASON_FAILED", f.getString("finish_reason"));
        assertEquals("UNAVAILABLE", f.getString("error.code"));
        assertEquals(STALLED, f.getString("error.message"));
        assertEquals(2, f.getInt("step"), "the final carries the newest draft seen");
        assertEquals(stalls + 1, metric(STALLS));
    }

    @Test
    void theOpenAiApiAnswersAStallAs503AndAsAnErrorEvent() throws Exception {
        String chat = OpenAiChatTest.chat("\"max_tokens\":8,\"metadata\":{\"script\":\"silent\"}");
        HttpResponse<String> once = post("/v1/chat/completions", "application/json", chat);
        assertEquals(503, once.statusCode(), once.body());
        assertEquals("1", once.headers().firstValue("Retry-After").orElse(null));
        JsonPath j = JsonPath.from(once.body());
        assertEquals("service_unavailable", j.getString("error.code"));
        assertEquals(STALLED, j.getString("error.message"));

        HttpResponse<String> streamed = post("/v1/chat/completions", "application/json",
                OpenAiChatTest.chat("\"max_tokens\":8,\"stream\":true,\"metadata\":{\"script\":\"dies\"}"));
        assertEquals(200, streamed.statusCode());
        List<String[]> events = SseParsing.parse(streamed.body());
        assertEquals("[DONE]", events.get(events.size() - 1)[1]);
        JsonPath error = JsonPath.from(events.get(events.size() - 2)[1]);
        assertEquals("service_unavailable", error.getString("error.code"));
        assertEquals(STALLED, error.getString("error.message"));
    }

    @Test
    void anSseAnswerLongerThanTheMaximumDurationEndsAsDeadlineAndIsCancelled() throws Exception {
        String max = "medv_gateway_timeouts_total{kind=\"max_duration\"}";
        double before = metric(max);
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/ask", "application/json", "{\"question\":\"hi\",\"options\":{"
                + "\"gen_length\":8,\"block_length\":8,\"steps\":4},\"metadata\":{\"labels\":{\"script\":"
                + "\"endless\"}}}");
        long ms = msSince(t0);
        List<String[]> events = SseParsing.parse(r.body());
        JsonPath f = JsonPath.from(events.get(events.size() - 1)[1]);
        assertEquals("FINISH_REASON_DEADLINE", f.getString("finish_reason"));
        assertEquals("DEADLINE_EXCEEDED", f.getString("error.code"));
        assertEquals("the answer took longer than 4 s (medv.gateway.sse-max-duration); the generation was "
                + "cancelled", f.getString("error.message"));
        assertEquals(f.getString("committed_prefix"), f.getString("text"), "a cut answer keeps its committed text");
        assertTrue(FakeBackends.ANSWER.startsWith(f.getString("text")), f.getString("text"));
        assertTrue(ms >= MAX_MS && ms < MAX_MS + 3000, "ended " + ms + " ms after the request");
        backends.cancelOf(f.getString("request_id")).get(10, TimeUnit.SECONDS);
        assertEquals(before + 1, metric(max));
    }

    @Test
    void untilItsBackendsServeTheGatewayRefusesAtOnceOnEveryEntryPoint() throws Exception {
        refusesWhileNotServing(backends.denoiserHealth, DenoiserGrpc.SERVICE_NAME,
                "denoiser-service is not serving (NOT_SERVING)");
    }

    @Test
    void whileVisionIsDownRequestsWithAnImageAreRefusedAtOnceAndTextOnlyOnesServed() throws Exception {
        String why = "requests with an image cannot be served now: vision-service is not serving (NOT_SERVING); "
                + "requests without one are; retry shortly";
        warmUp();
        int starts = backends.starts.size();
        backends.visionHealth.set(VisionGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        try {
            gate.whenImages(false).get(10, TimeUnit.SECONDS);
            int encodes = backends.encodes.get();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> assistant().askOnce(ask(8, 8, 4).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals(why, e.getStatus().getDescription());
            var form = RestAssured.given().multiPart("question", "hi")
                    .multiPart("image", "x.png", IMAGE, "image/png").post("/v1/ask");
            assertEquals(503, form.statusCode(), form.asString());
            assertEquals("1", form.header("Retry-After"));
            assertEquals(why, JsonPath.from(form.asString()).getString("error.message"));
            assertEquals(encodes, backends.encodes.get(), "refused at once: vision was never asked");
            assertEquals(starts, backends.starts.size(), "no request with an image reached the denoiser");

            // the gateway stays ready and serving: text-only requests are answered
            assertEquals(FakeBackends.ANSWER, assistant().askOnce(ask(8, 8, 4).clearImage().build()).getText());
            HttpResponse<String> json = post("/v1/ask", "application/json", "{\"question\":\"hi\",\"options\":{"
                    + "\"gen_length\":8,\"block_length\":8,\"steps\":4}}");
            assertEquals(200, json.statusCode(), json.body());
            List<String[]> events = SseParsing.parse(json.body());
            assertEquals(FakeBackends.ANSWER, JsonPath.from(events.get(events.size() - 1)[1]).getString("text"));
            assertEquals(starts + 2, backends.starts.size());
            var ready = RestAssured.get("/q/health/ready");
            assertEquals(200, ready.statusCode(), ready.asString());
            assertEquals("refused: vision-service is not serving (NOT_SERVING)",
                    ready.jsonPath().getString("checks.find { it.name == 'medv-gateway' }.data.images"));
            assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
                            .setService(AssistantGrpc.SERVICE_NAME).build()).getStatus());
        } finally {
            backends.visionHealth.set(VisionGrpc.SERVICE_NAME, ServingStatus.SERVING);
        }
        gate.whenImages(true).get(10, TimeUnit.SECONDS);
        assertEquals("served", RestAssured.get("/q/health/ready").jsonPath()
                .getString("checks.find { it.name == 'medv-gateway' }.data.images"));
        assertEquals(FakeBackends.ANSWER, assistant().askOnce(ask(8, 8, 4).build()).getText());
    }

    private void refusesWhileNotServing(FakeHealth health, String service, String problem) throws Exception {
        String why = "the gateway is not ready: " + problem + "; retry shortly";
        warmUp();
        int starts = backends.starts.size();
        health.set(service, ServingStatus.NOT_SERVING);
        try {
            gate.when(false).get(10, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            List<Long> took = new java.util.ArrayList<>();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> assistant().askOnce(ask(8, 8, 4).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals(why, e.getStatus().getDescription());
            took.add(msSince(t0));

            HttpResponse<String> json = post("/v1/ask", "application/json", "{\"question\":\"hi\"}");
            assertEquals(503, json.statusCode());
            assertEquals("1", json.headers().firstValue("Retry-After").orElse(null));
            assertEquals("UNAVAILABLE", JsonPath.from(json.body()).getString("error.code"));
            assertEquals(why, JsonPath.from(json.body()).getString("error.message"));
            took.add(msSince(t0));
            var form = RestAssured.given().multiPart("question", "hi").post("/v1/ask");
            took.add(msSince(t0));
            assertEquals(503, form.statusCode());
            assertEquals("1", form.header("Retry-After"));

            HttpResponse<String> chat = post("/v1/chat/completions", "application/json",
                    OpenAiChatTest.chat("\"max_tokens\":8"));
            assertEquals(503, chat.statusCode());
            assertEquals("1", chat.headers().firstValue("Retry-After").orElse(null));
            assertEquals("service_unavailable", JsonPath.from(chat.body()).getString("error.code"));
            took.add(msSince(t0));
            assertTrue(took.get(3) < STALL_MS, "at once, not after waiting: " + took + " ms (cumulated)");

            assertEquals(503, RestAssured.get("/q/health/ready").statusCode());
            assertEquals(ServingStatus.NOT_SERVING, HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
                            .setService(AssistantGrpc.SERVICE_NAME).build()).getStatus());
            assertEquals(starts, backends.starts.size(), "nothing reached the denoiser");
        } finally {
            health.set(service, ServingStatus.SERVING);
        }
        gate.when(true).get(10, TimeUnit.SECONDS);
        assertEquals(FakeBackends.ANSWER, assistant().askOnce(ask(8, 8, 4).build()).getText());
    }

    /** The four entry points' code paths, through refusals of bad input, so that timings measure the gate. */
    private static void warmUp() throws Exception {
        assertThrows(StatusRuntimeException.class, () -> assistant().askOnce(ask(8, 8, 4).setQuestion("").build()));
        assertEquals(400, post("/v1/ask", "application/json", "{}").statusCode());
        assertEquals(400, RestAssured.given().multiPart("question", "").post("/v1/ask").statusCode());
        assertEquals(400, post("/v1/chat/completions", "application/json", "{}").statusCode());
    }

    @Test
    void aFinalInAPartitionAddedAfterTheRequestBeganIsDelivered() throws Exception {
        assertTrue(consumerGroups().stream().noneMatch(g -> g.startsWith("medv-gateway")), consumerGroups()
                .toString());
        Events call = Events.of(AssistantGrpc.newStub(channel)::ask, scripted("endless"));
        String id = call.first.get(30, TimeUnit.SECONDS);
        var config = ConfigProvider.getConfig();
        String topic = config.getValue("medv.topics.steps", String.class);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", config.getValue("kafka.bootstrap.servers",
                String.class)))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions + 1))).all()
                    .get(10, TimeUnit.SECONDS);
            // whenever the gateway notices the new partition, it reads it from its start
            backends.publishTo(partitions, id, 8, true);
        }
        List<AnswerEvent> events = call.done.get(30, TimeUnit.SECONDS);
        backends.release(id);
        AnswerEvent last = events.get(events.size() - 1);
        assertEquals(FinishReason.FINISH_REASON_LENGTH, last.getFinishReason());
        assertEquals(FakeBackends.ANSWER, last.getText());
    }
}
