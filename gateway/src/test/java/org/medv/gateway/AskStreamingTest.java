package org.medv.gateway;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gRPC and SSE streams: drafts then one final, routing, disconnects. */
@QuarkusTest
class AskStreamingTest extends GatewayTestBase {
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
        // token by token: one entry per answer position, the placeholder where masked
        assertEquals(16, draft.getTokensCount());
        assertEquals(List.of(0, 1), draft.getCommittedPositionsList());
        assertTrue(draft.getTokensList().subList(2, 16).stream().allMatch("\u2591"::equals), draft.getTokensList()
                .toString());
        assertFalse(draft.getTokens(0).equals("\u2591") || draft.getTokens(1).equals("\u2591"));
        assertEquals(draft.getDraft(), String.join("", draft.getTokensList()));
        assertEquals(16, last.getTokensCount());
        assertEquals(FakeBackends.ANSWER, String.join("", last.getTokensList()), "EOS positions are \"\"");
        String id = last.getRequestId();
        assertTrue(events.stream().allMatch(e -> e.getRequestId().equals(id)), "only this request's events");
        assertEquals(8, last.getTotalSteps());

        StartRequest start = backends.startOf(id);
        assertNotNull(start, "Denoiser.Start was called with the gateway's request id");
        assertFalse(start.getGatewayId().isEmpty());
        assertTrue(consumerGroups().stream().noneMatch(g -> g.startsWith("medv-gateway")),
                "the steps consumer assigns its partitions itself, in no consumer group: " + consumerGroups());
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
    void closingTheSseConnectionCancelsTheGeneration() throws Exception {
        String body = "{\"question\":\"hi\",\"options\":{\"gen_length\":8,\"block_length\":8,\"steps\":4},"
                + "\"metadata\":{\"labels\":{\"script\":\"slow\"}}}";
        var client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var res = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/ask"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, res.statusCode());
        String id = null;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(res.body(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null && id == null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    id = line.replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
                }
            }
        }
        assertNotNull(id, "a first draft arrived");
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!backends.cancels.contains(id) && System.nanoTime() < until) {
            sleep(50);
        }
        assertTrue(backends.cancels.contains(id), "Denoiser.Cancel called for " + id);
    }

    @Test
    void sseMultipartStreamsDraftEventsThenFinal() {
        Response r = RestAssured.given().multiPart("image", "scan.png", IMAGE, "image/png")
                .multiPart("question", "Is there an effusion?").multiPart("gen_length", "16")
                .multiPart("block_length", "16").multiPart("steps", "8").multiPart("remasking", "low_confidence")
                .multiPart("no_stop", "true").post("/v1/ask");
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
        String id = last[1].replaceAll(".*\"request_id\":\"([^\"]+)\".*", "$1");
        assertTrue(backends.startOf(id).getOptions().getNoStop(), "the form's no_stop reaches the denoiser");
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
}
