package org.medv.gateway;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals of the OpenAI-compatible API: OpenAI's error shape with the right status, the parameter the client sent
 * and the limit; never a 500 for bad input; the request text never in the message.
 */
@QuarkusTest
class OpenAiRefusalTest extends GatewayTestBase {
    private static final String QUESTION = "Is there an effusion?";

    /** {status, param, code, a message fragment, body}. */
    private static final List<Object[]> CASES = List.of(
            new Object[]{400, "block_length", "invalid_value", "max_tokens=20 must be a multiple of block_length=8",
                    OpenAiChatTest.chat("\"max_tokens\":20,\"block_length\":8")},
            new Object[]{400, "steps", "invalid_value", "steps=3 must be a multiple of the number of blocks",
                    OpenAiChatTest.chat("\"max_tokens\":16,\"block_length\":8,\"steps\":3")},
            new Object[]{400, "max_completion_tokens", "invalid_value", "1024 positions",
                    OpenAiChatTest.chat("\"max_completion_tokens\":4096")},
            new Object[]{400, "max_tokens", "invalid_value", "positive", OpenAiChatTest.chat("\"max_tokens\":0")},
            new Object[]{400, "temperature", "invalid_value", ">= 0", OpenAiChatTest.chat("\"temperature\":-1")},
            new Object[]{400, "remasking", "invalid_value", "low_confidence or random",
                    OpenAiChatTest.chat("\"remasking\":\"sideways\"")},
            new Object[]{400, "n", "unsupported_value", "must be 1", OpenAiChatTest.chat("\"n\":2")},
            new Object[]{400, "tools", "unsupported_parameter", "no tools", OpenAiChatTest.chat(
                    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]")},
            new Object[]{400, "logprobs", "unsupported_value", "logprobs", OpenAiChatTest.chat("\"logprobs\":true")},
            new Object[]{400, "response_format", "unsupported_value", "plain text", OpenAiChatTest.chat(
                    "\"response_format\":{\"type\":\"json_object\"}")},
            new Object[]{400, "stream_options", "invalid_value", "only allowed when 'stream' is enabled",
                    OpenAiChatTest.chat("\"stream_options\":{\"include_usage\":true}")},
            new Object[]{400, "frobnicate", "unknown_parameter", "Unrecognized request argument",
                    OpenAiChatTest.chat("\"frobnicate\":1")},
            new Object[]{400, "max_tokens", "invalid_type", "an integer", OpenAiChatTest.chat("\"max_tokens\":\"8\"")},
            new Object[]{400, "messages[0].role", "unsupported_value", "system prompt",
                    "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\""
                            + QUESTION + "\"}]}"},
            new Object[]{400, "messages", "invalid_value", "non-empty user turn",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"},{\"role\":\"assistant\","
                            + "\"content\":\"yes\"}]}"},
            new Object[]{400, "messages", "invalid_value", "<image>",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"<image> " + QUESTION + "\"}]}"},
            new Object[]{400, "messages[0].content[0].type", "unsupported_value", "'input_audio'",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]}]}"},
            new Object[]{400, "messages[0].content[0].image_url.url", "unsupported_value", "remote-images=false",
                    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
                            + "\"https://example.org/scan.png\"}},{\"type\":\"text\",\"text\":\"" + QUESTION + "\"}]}]}"},
            new Object[]{400, "messages[2].content[0].image_url", "unsupported_value", "first user",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"},{\"role\":\"assistant\","
                            + "\"content\":\"no\"},{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                            + "\"image_url\":{\"url\":\"" + OpenAiChatTest.DATA_URL + "\"}}]}]}"},
            new Object[]{400, "messages[0].content[1].image_url", "invalid_value", "not a PNG or JPEG",
                    OpenAiChatTest.chat("").replace(OpenAiChatTest.DATA_URL, "data:image/png;base64,"
                            + java.util.Base64.getEncoder().encodeToString("BAD image".getBytes()))},
            new Object[]{400, null, "invalid_value", "JSON", "{\"messages\": [}"},
            new Object[]{404, "model", "model_not_found", "gpt-4o", OpenAiChatTest.chat("\"model\":\"gpt-4o\"")},
            new Object[]{429, null, "rate_limit_exceeded", "queue is full",
                    OpenAiChatTest.chat("\"metadata\":{\"script\":\"full\"}")});

    @Test
    void everyRefusalHasOpenAisShapeStatusAndParam() {
        for (Object[] c : CASES) {
            Response r = OpenAiChatTest.post((String) c[4]);
            String what = c[1] + " " + c[3] + ": " + r.asString();
            assertEquals(c[0], r.statusCode(), what);
            assertTrue(r.contentType().startsWith("application/json"), what);
            JsonPath j = r.jsonPath();
            assertTrue(j.getMap("error").keySet().containsAll(List.of("message", "type", "param", "code")), what);
            assertEquals(c[1], j.getString("error.param"), what);
            assertEquals(c[2], j.getString("error.code"), what);
            assertEquals((int) c[0] == 429 ? "rate_limit_error" : "invalid_request_error", j.getString("error.type"),
                    what);
            assertTrue(j.getString("error.message").contains((String) c[3]), what);
            assertFalse(j.getString("error.message").contains(QUESTION), "the question never echoes: " + what);
            if ((int) c[0] == 429) {
                assertEquals("1", r.header("Retry-After"));
            }
        }
        // and it keeps serving
        assertEquals(200, OpenAiChatTest.post(OpenAiChatTest.chat("\"max_tokens\":8")).statusCode());
    }

    @Test
    void unknownModelsAreNotFoundAndOtherPathsKeepTheirStatus() {
        Response r = RestAssured.get("/v1/models/gpt-4o");
        assertEquals(404, r.statusCode());
        assertEquals("model_not_found", r.jsonPath().getString("error.code"));
        RestAssured.given().body("{}").put("/v1/chat/completions").then().statusCode(405);
    }

    @Test
    void aFailedGenerationIsAServerErrorUnstreamedAndAnErrorEventStreamed() {
        Response once = OpenAiChatTest.post(OpenAiChatTest.chat("\"metadata\":{\"script\":\"failed\"}"));
        assertEquals(500, once.statusCode(), once.asString());
        assertEquals("server_error", once.jsonPath().getString("error.type"));

        Response streamed = OpenAiChatTest.post(OpenAiChatTest.chat("\"stream\":true,\"metadata\":{\"script\":"
                + "\"failed\"}"));
        assertEquals(200, streamed.statusCode());
        List<String[]> events = SseParsing.parse(streamed.asString());
        assertEquals("[DONE]", events.get(events.size() - 1)[1]);
        JsonPath error = JsonPath.from(events.get(events.size() - 2)[1]);
        assertEquals("server_error", error.getString("error.type"));
    }

    @Test
    void curlStyleFormEncodedBodiesAreReadAsJson() {
        Response r = RestAssured.given().contentType("application/x-www-form-urlencoded")
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"}],\"max_tokens\":8}")
                .post("/v1/chat/completions");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(FakeBackends.ANSWER, r.jsonPath().getString("choices[0].message.content"));
    }
}
