package org.medv.eval.judge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.medv.eval.JudgeScore;
import org.medv.testkit.FakeJudgeServer;
import org.medv.testkit.FakeJudgeServer.Reply;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JudgeClientTest {
    private static JudgeConfig config(FakeJudgeServer server, String key) {
        return JudgeConfig.defaults(server.baseUrl(), key)
                .withRubric(JudgeFixtures.RUBRIC)
                .withRetries(3, Duration.ofMillis(10))
                .withRequestTimeout(Duration.ofSeconds(10));
    }

    private static JudgeScore review(JudgeClient client) throws Exception {
        return client.review(JudgeFixtures.ITEM, JudgeFixtures.CANDIDATE).get(20, TimeUnit.SECONDS);
    }

    @Test
    void sendsTheBenchmarkRequestAndParsesTheScores() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.then(Reply.completion("9 6\nAssistant 1 names the lobe; assistant 2 does not."));
            JudgeReview review = new JudgeClient(config(server, "test-key"))
                    .reviewWithReply(JudgeFixtures.ITEM, JudgeFixtures.CANDIDATE).get(20, TimeUnit.SECONDS);

            assertEquals(new JudgeScore(9, 6), review.score());
            assertEquals("9 6\nAssistant 1 names the lobe; assistant 2 does not.", review.reply());
            assertEquals(1, review.attempts());
            FakeJudgeServer.Received request = server.received().get(0);
            assertEquals("/v1/chat/completions", request.path());
            assertEquals("Bearer test-key", request.authorization());
            JsonObject body = request.body();
            assertEquals("gpt-4.1-mini", body.get("model").getAsString());
            assertEquals(0.0, body.get("temperature").getAsDouble());
            JsonArray messages = body.getAsJsonArray("messages");
            assertEquals(2, messages.size());
            assertEquals("system", messages.get(0).getAsJsonObject().get("role").getAsString());
            assertEquals("'You are a helpful and precise assistant for checking the quality of the answer.",
                    messages.get(0).getAsJsonObject().get("content").getAsString());
            assertEquals("user", messages.get(1).getAsJsonObject().get("role").getAsString());
            assertEquals(JudgeFixtures.EXPECTED_USER_CONTENT,
                    messages.get(1).getAsJsonObject().get("content").getAsString());
        }
    }

    @Test
    void sendsNoAuthorizationWithoutKey() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            assertEquals(new JudgeScore(8, 7), review(new JudgeClient(config(server, ""))));
            assertNull(server.received().get(0).authorization());
        }
    }

    @Test
    void waitsForRetryAfterOn429() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.then(Reply.status(429, "{\"error\":{\"message\":\"Rate limit reached\"}}",
                            Map.of("Retry-After", "1")))
                    .then(Reply.completion("7 8\nok"));
            assertEquals(new JudgeScore(7, 8), review(new JudgeClient(config(server, "k"))));
            assertEquals(2, server.received().size());
            long gapMs = (server.received().get(1).atNanos() - server.received().get(0).atNanos()) / 1_000_000;
            assertTrue(gapMs >= 900, "retried after " + gapMs + " ms despite Retry-After: 1");
        }
    }

    @Test
    void retriesServerErrors() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.then(Reply.status(500, "upstream exploded", Map.of())).then(Reply.status(503, "", Map.of()));
            assertEquals(new JudgeScore(8, 7), review(new JudgeClient(config(server, "k"))));
            assertEquals(3, server.received().size());
        }
    }

    @Test
    void retriesMalformedReplies() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.then(Reply.completion("Assistant 1: 8/10, Assistant 2: 6/10\nbecause ..."))
                    .then(Reply.status(200, "not json", Map.of()))
                    .then(Reply.completion("8 6\nbecause ..."));
            JudgeReview review = new JudgeClient(config(server, "k"))
                    .reviewWithReply(JudgeFixtures.ITEM, JudgeFixtures.CANDIDATE).get(20, TimeUnit.SECONDS);
            assertEquals(new JudgeScore(8, 6), review.score());
            assertEquals(3, review.attempts());
        }
    }

    @Test
    void givesUpAfterMaxRetriesWithTheLastStatusAndBody() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.otherwise(Reply.status(429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4.1-mini\"}}",
                    Map.of()));
            JudgeClient client = new JudgeClient(config(server, "k").withRetries(2, Duration.ofMillis(5)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> review(client));
            JudgeException cause = assertInstanceOf(JudgeException.class, e.getCause());
            String message = cause.getMessage();
            assertTrue(message.contains("question 7"), message);
            assertTrue(message.contains("after 3 attempts"), message);
            assertTrue(message.contains("HTTP 429"), message);
            assertTrue(message.contains("Rate limit reached for gpt-4.1-mini"), message);
            assertEquals(3, server.received().size());
        }
    }

    @Test
    void failsAtOnceOnClientErrors() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.then(Reply.status(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}", Map.of()));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> review(new JudgeClient(config(server, "bad"))));
            assertTrue(e.getCause().getMessage().contains("HTTP 401"), e.getCause().getMessage());
            assertTrue(e.getCause().getMessage().contains("Incorrect API key"), e.getCause().getMessage());
            assertEquals(1, server.received().size());
        }
    }

    @Test
    void failsClearlyWhenNothingListens() throws IOException {
        String baseUrl;
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            baseUrl = server.baseUrl();
        }
        JudgeConfig config = JudgeConfig.defaults(baseUrl, "").withRetries(1, Duration.ofMillis(5));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> new JudgeClient(config).review(JudgeFixtures.ITEM, "x").get(20, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("after 2 attempts"), e.getCause().getMessage());
    }

    @Test
    void boundsRequestsInFlight() throws Exception {
        try (FakeJudgeServer server = new FakeJudgeServer()) {
            server.otherwise(Reply.completion("8 7\nfine", 100));
            JudgeClient client = new JudgeClient(config(server, "k").withMaxConcurrency(2));
            List<CompletableFuture<JudgeScore>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(client.review(JudgeFixtures.ITEM, "answer " + i));
            }
            for (CompletableFuture<JudgeScore> f : futures) {
                assertEquals(new JudgeScore(8, 7), f.get(20, TimeUnit.SECONDS));
            }
            assertEquals(8, server.received().size());
            assertEquals(2, server.maxInFlight(), "peak requests in flight");
        }
    }

    @Test
    void readsRetryAfterInItsThreeForms() {
        assertEquals(Duration.ofMillis(1500), JudgeClient.retryAfter(headers("retry-after", "1.5")).orElseThrow());
        assertEquals(Duration.ofMillis(250), JudgeClient.retryAfter(headers("retry-after-ms", "250")).orElseThrow());
        assertTrue(JudgeClient.retryAfter(headers("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"))
                .orElseThrow().isZero()); // a date in the past means now
        assertEquals(Duration.ofMinutes(10), JudgeClient.retryAfter(headers("Retry-After", "86400")).orElseThrow());
        assertTrue(JudgeClient.retryAfter(headers("Retry-After", "soon")).isEmpty());
    }

    @Test
    void configNeverPrintsTheKey() {
        assertTrue(!JudgeConfig.defaults("http://localhost:1/v1", "sk-secret").toString().contains("sk-secret"));
    }

    private static HttpHeaders headers(String name, String value) {
        return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
    }
}
