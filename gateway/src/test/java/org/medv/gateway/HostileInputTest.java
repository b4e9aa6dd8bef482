package org.medv.gateway;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ChatTurn;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.Role;
import org.medv.serving.Statuses;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, one case at a time: malformed multipart bodies, unknown fields at every level of the JSON bodies
 * and of the form, and the caps on question length, conversation turns and labels, on every entry point. Each is a
 * 400 (or 415) naming the field or the problem, never a 500. {@link HostileInputPropertiesTest} throws generated
 * bodies at the same server.
 */
@QuarkusTest
class HostileInputTest extends GatewayTestBase {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static HttpResponse<String> post(String path, String contentType, byte[] body) {
        try {
            return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                            + path)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString()).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("POST " + path + " failed", e);
        }
    }

    static HttpResponse<String> postJson(String path, String body) {
        return post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    /** medv's error shape: the status, the field, and the message's start. */
    static void assertRefused(HttpResponse<String> r, int status, String field, String message) {
        assertEquals(status, r.statusCode(), r.body());
        JsonPath j = JsonPath.from(r.body());
        assertEquals(field, j.getString("error.field"), r.body());
        assertTrue(j.getString("error.message").contains(message), r.body());
    }

    private static final String CRLF = "\r\n";

    static String part(String boundary, String name, String value) {
        return "--" + boundary + CRLF + "Content-Disposition: form-data; name=\"" + name + "\"" + CRLF + CRLF + value
                + CRLF;
    }

    static HttpResponse<String> form(String boundary, String body) {
        return post("/v1/ask", "multipart/form-data; boundary=" + boundary, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedMultipartBodiesAre400NamingTheProblem() {
        String b = "XyZ123";
        String ok = part(b, "question", "hi") + "--" + b + "--" + CRLF;
        List<String> bodies = List.of(
                ok.substring(0, ok.length() - 12),                         // truncated before the closing boundary
                "--" + b + CRLF + "Content-Disposition: form-data; name=\"question\"" + CRLF + "hi" + CRLF,
                "garbage that is not multipart at all",
                part("other", "question", "hi") + "--other--" + CRLF,      // a boundary the header does not name
                "--" + b + CRLF + "Content-Disposition: form-data" + CRLF + CRLF + "x" + CRLF + "--" + b + "--");
        for (String body : bodies) {
            HttpResponse<String> r = form(b, body);
            assertTrue(r.statusCode() == 400, r.statusCode() + " " + r.body() + " for " + body);
            JsonPath j = JsonPath.from(r.body());
            assertTrue(!j.getString("error.field").isEmpty() && !j.getString("error.message").isEmpty(), r.body());
        }
        HttpResponse<String> noBoundary = post("/v1/ask", "multipart/form-data", ok.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, noBoundary.statusCode(), noBoundary.body());
    }

    @Test
    void unknownDuplicatedOrMisplacedFormFieldsAre400NamingThem() {
        String b = "b0undary";
        assertRefused(form(b, part(b, "question", "hi") + part(b, "gen_lenght", "8") + "--" + b + "--"), 400,
                "gen_lenght", "unknown form field 'gen_lenght'");
        assertRefused(form(b, part(b, "question", "hi") + part(b, "question", "ho") + "--" + b + "--"), 400,
                "question", "question was given 2 times");
        assertRefused(form(b, part(b, "question", "hi") + part(b, "image", "not a file") + "--" + b + "--"), 400,
                "image", "image must be a file part");
        String file = "--" + b + CRLF + "Content-Disposition: form-data; name=\"question\"; filename=\"q.txt\"" + CRLF
                + CRLF + "hi" + CRLF + "--" + b + "--";
        assertRefused(form(b, file), 400, "question", "question must be a text field");
    }

    @Test
    void unknownJsonFieldsAtEveryLevelAre400NamingThem() {
        assertRefused(postJson("/v1/ask", "{\"question\":\"hi\",\"gen_length\":8}"), 400, "gen_length",
                "unknown field 'gen_length'; sampler options go inside \"options\"");
        assertRefused(postJson("/v1/ask", "{\"question\":\"hi\",\"options\":{\"gen_lenght\":8}}"), 400,
                "options.gen_lenght", "unknown option 'gen_lenght'");
        assertRefused(postJson("/v1/ask", "{\"conversation\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":\"x\"}]}"),
                400, "conversation[0].name", "unknown field 'conversation[0].name'");
        assertRefused(postJson("/v1/ask", "{\"question\":\"hi\",\"metadata\":{\"tags\":{}}}"), 400, "metadata.tags",
                "unknown field 'metadata.tags'");
        assertRefused(postJson("/v1/ask", "{\"question\":{\"text\":\"hi\"}}"), 400, "question",
                "question must be a string or number");
        // the OpenAI-compatible body refuses unknown keys the same way, inside messages and parts too
        for (String[] c : new String[][]{
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"gen_length\":8}", "gen_length"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"lang\":\"en\"}]}", "messages[0].lang"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\",\"lang\":1}]}]}",
                        "messages[0].content[0].lang"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\""
                        + OpenAiChatTest.DATA_URL + "\",\"size\":1}},{\"type\":\"text\",\"text\":\"hi\"}]}]}",
                        "messages[0].content[0].image_url.size"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{"
                        + "\"x\":1}}", "stream_options.x"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"text\","
                        + "\"strict\":true}}", "response_format.strict"}}) {
            HttpResponse<String> r = postJson("/v1/chat/completions", c[0]);
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(c[1], JsonPath.from(r.body()).getString("error.param"), r.body());
        }
    }

    @Test
    void capsOnQuestionTurnsAndLabelsNameTheFieldAndTheLimitOnEveryEntryPoint() {
        String longText = "a".repeat(16385);
        ClientMetadata.Builder labels = ClientMetadata.newBuilder();
        for (int i = 0; i < 17; i++) {
            labels.putLabels("k" + i, "v");
        }
        AskRequest.Builder turns = AskRequest.newBuilder();
        for (int i = 0; i < 65; i++) {
            turns.addConversation(ChatTurn.newBuilder().setRole(i % 2 == 0 ? Role.ROLE_USER : Role.ROLE_ASSISTANT)
                    .setContent("t"));
        }
        Object[][] cases = {
                {ask(8, 8, 4).setQuestion(longText).build(), "question",
                        "the question has 16385 characters, more than medv.gateway.limits.question-chars=16384"},
                {turns.build(), "conversation", "the conversation has 65 turns, more than medv.gateway.limits.turns=64"},
                {ask(8, 8, 4).setMetadata(labels).build(), "labels", "17 labels, more than medv.gateway.limits.labels=16"},
                {ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("k".repeat(65), "v")).build(), "labels",
                        "a label key has 65 characters, more than medv.gateway.limits.label-key-chars=64"},
                {ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("k", "v".repeat(513))).build(),
                        "labels", "a label value has 513 characters, more than medv.gateway.limits.label-value-chars=512"},
                {ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().setCorrelationId("c".repeat(257))).build(),
                        "correlation_id", "more than medv.gateway.limits.correlation-id-chars=256"}};
        for (Object[] c : cases) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> assistant().askOnce((AskRequest) c[0]));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals(c[1], e.getTrailers().get(Statuses.FIELD));
            assertTrue(e.getStatus().getDescription().endsWith((String) c[2]), e.getStatus().getDescription());
        }
        assertRefused(postJson("/v1/ask", "{\"question\":\"" + longText + "\"}"), 400, "question",
                "more than medv.gateway.limits.question-chars=16384");
        String b = "bnd";
        assertRefused(form(b, part(b, "question", longText) + "--" + b + "--"), 400, "question",
                "more than medv.gateway.limits.question-chars=16384");
        StringBuilder md = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            md.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        HttpResponse<String> chat = postJson("/v1/chat/completions", OpenAiChatTest.chat("\"metadata\":{" + md + "}"));
        assertEquals(400, chat.statusCode(), chat.body());
        assertEquals("metadata", JsonPath.from(chat.body()).getString("error.param"));
        assertTrue(JsonPath.from(chat.body()).getString("error.message").contains("medv.gateway.limits.labels=16"));
    }

    @Test
    void otherContentTypesAre415NamingTheAcceptedOnes() {
        HttpResponse<String> r = post("/v1/ask", "text/plain", "question=hi".getBytes(StandardCharsets.UTF_8));
        assertRefused(r, 415, "Content-Type", "application/json or multipart/form-data");
    }
}
