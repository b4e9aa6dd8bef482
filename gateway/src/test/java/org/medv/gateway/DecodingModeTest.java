package org.medv.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.CacheMode;
import org.medv.proto.v1.GenerationOptions;
import org.medv.serving.Statuses;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoding mode ({@code cache}, {@code threshold}, {@code refresh_every}) on every entry point: carried to
 * Denoiser.Start, reported on the final event, refused with 400 / INVALID_ARGUMENT naming the field and the limit.
 * The test model declares no mode, so unset is exact (none, 0, 0).
 */
@QuarkusTest
class DecodingModeTest extends GatewayTestBase {

    private static GenerationOptions started(Response sse) {
        return backends.startOf(finalEvent(sse).get("request_id").getAsString()).getOptions();
    }

    private static JsonObject finalEvent(Response sse) {
        assertEquals(200, sse.statusCode(), sse.asString());
        List<String[]> events = SseParsing.parse(sse.asString());
        String[] last = events.get(events.size() - 1);
        assertEquals("final", last[0]);
        return JsonParser.parseString(last[1]).getAsJsonObject();
    }

    @Test
    void jsonOptionsReachTheDenoiserAndTheFinalEvent() {
        Response r = RestAssured.given().contentType("application/json").body("{\"question\":\"q\",\"options\":"
                + "{\"cache\":\"dual\",\"threshold\":0.9,\"refresh_every\":4}}").post("/v1/ask");
        JsonObject options = finalEvent(r).getAsJsonObject("options");
        assertEquals("CACHE_MODE_DUAL", options.get("cache").getAsString());
        assertEquals(0.9, options.get("threshold").getAsDouble());
        assertEquals(4, options.get("refresh_every").getAsInt());
        GenerationOptions sent = started(r);
        assertEquals(CacheMode.CACHE_MODE_DUAL, sent.getCache());
        assertEquals(0.9, sent.getThreshold());
        assertEquals(4, sent.getRefreshEvery());
    }

    @Test
    void formFieldsAndTheFinalEventsOwnFormAreAccepted() {
        GenerationOptions sent = started(RestAssured.given().multiPart("question", "q").multiPart("cache", "prefix")
                .multiPart("threshold", "0.5").multiPart("refresh_every", "").post("/v1/ask"));
        assertEquals(CacheMode.CACHE_MODE_PREFIX, sent.getCache());
        assertEquals(0.5, sent.getThreshold());
        assertEquals(0, sent.getRefreshEvery(), "an empty field is unset: the model's 0");

        sent = started(RestAssured.given().contentType("application/json")
                .body("{\"question\":\"q\",\"options\":{\"cache\":\"CACHE_MODE_DUAL\"}}").post("/v1/ask"));
        assertEquals(CacheMode.CACHE_MODE_DUAL, sent.getCache(), "a final event's options can be sent back");
    }

    @Test
    void unsetIsTheModelsExactModeAndIsReported() {
        AnswerEvent last = assistant().askOnce(ask(8, 8, 4).build());
        assertEquals(CacheMode.CACHE_MODE_NONE, last.getOptions().getCache());
        assertTrue(last.getOptions().hasThreshold() && last.getOptions().hasRefreshEvery());
        assertEquals(0.0, last.getOptions().getThreshold());
        assertEquals(0, last.getOptions().getRefreshEvery());

        last = assistant().askOnce(ask(8, 8, 4).setOptions(GenerationOptions.newBuilder().setGenLength(8)
                .setBlockLength(8).setSteps(4).setCache(CacheMode.CACHE_MODE_PREFIX).setThreshold(1)).build());
        assertEquals(CacheMode.CACHE_MODE_PREFIX, backends.startOf(last.getRequestId()).getOptions().getCache());
        assertEquals(1.0, last.getOptions().getThreshold());
    }

    @Test
    void modelDescribesItsDecodingDefaults() {
        JsonPath j = RestAssured.get("/v1/model").jsonPath();
        assertEquals("none", j.getString("defaults.cache"));
        assertEquals(0.0, j.getDouble("defaults.threshold"));
        assertEquals(0, j.getInt("defaults.refresh_every"));
    }

    /** {field, a message fragment, the JSON options}. */
    private static final List<String[]> REFUSED = List.of(
            new String[]{"cache", "cache must be none, prefix or dual, got \"fast\"", "\"cache\":\"fast\""},
            new String[]{"threshold", "threshold must be 0 (off) or a confidence in (0, 1], got 1.5",
                    "\"threshold\":1.5"},
            new String[]{"threshold", "threshold must be 0 (off) or a confidence in (0, 1], got -0.1",
                    "\"threshold\":-0.1"},
            new String[]{"threshold", "threshold must be a number, got 'high'", "\"threshold\":\"high\""},
            new String[]{"threshold", "it needs remasking=low_confidence, not random",
                    "\"threshold\":0.9,\"remasking\":\"random\""},
            new String[]{"refresh_every", "refresh_every must be >= 0", "\"refresh_every\":-1"},
            new String[]{"refresh_every", "refresh_every must be an integer, got '2.5'", "\"refresh_every\":2.5"});

    @Test
    void invalidValuesAre400NamingTheFieldAndTheLimit() {
        for (String[] c : REFUSED) {
            Response r = RestAssured.given().contentType("application/json")
                    .body("{\"question\":\"q\",\"options\":{" + c[2] + "}}").post("/v1/ask");
            assertEquals(400, r.statusCode(), c[2] + ": " + r.asString());
            assertEquals(c[0], r.jsonPath().getString("error.field"), c[2]);
            assertEquals("INVALID_ARGUMENT", r.jsonPath().getString("error.code"));
            String message = r.jsonPath().getString("error.message");
            assertTrue(message.startsWith("invalid " + c[0] + ": ") && message.contains(c[1]), message);
        }
        Response form = RestAssured.given().multiPart("question", "q").multiPart("cache", "sideways").post("/v1/ask");
        assertEquals(400, form.statusCode());
        assertEquals("cache", form.jsonPath().getString("error.field"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> assistant().askOnce(
                ask(8, 8, 4).setOptions(GenerationOptions.newBuilder().setThreshold(2)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("threshold", e.getTrailers().get(Statuses.FIELD));
        e = assertThrows(StatusRuntimeException.class, () -> assistant().askOnce(
                ask(8, 8, 4).setOptions(GenerationOptions.newBuilder().setCacheValue(7)).build()));
        assertEquals("cache", e.getTrailers().get(Statuses.FIELD));
    }

    @Test
    void chatCompletionsTakeThemAsExtraBodyFieldsAndNameTheMode() {
        Response r = OpenAiChatTest.post(OpenAiChatTest.chat("\"max_tokens\":16,\"cache\":\"dual\","
                + "\"threshold\":0.9,\"refresh_every\":4"));
        assertEquals(200, r.statusCode(), r.asString());
        JsonPath j = r.jsonPath();
        assertEquals("dual+t0.9/r4", j.getString("medv.mode"));
        GenerationOptions sent = backends.startOf(j.getString("id").substring("chatcmpl-".length())).getOptions();
        assertEquals(CacheMode.CACHE_MODE_DUAL, sent.getCache());
        assertEquals(0.9, sent.getThreshold());
        assertEquals(4, sent.getRefreshEvery());

        assertEquals("exact", OpenAiChatTest.post(OpenAiChatTest.chat("\"max_tokens\":8")).jsonPath()
                .getString("medv.mode"));

        // {body fields, param, code, a message fragment}
        for (String[] c : List.of(
                new String[]{"\"cache\":\"fast\"", "cache", "invalid_value", "none, prefix or dual"},
                new String[]{"\"threshold\":1.5", "threshold", "invalid_value", "(0, 1]"},
                new String[]{"\"threshold\":\"0.9\"", "threshold", "invalid_type", "a number"},
                new String[]{"\"refresh_every\":-2", "refresh_every", "invalid_value", ">= 0"})) {
            Response bad = OpenAiChatTest.post(OpenAiChatTest.chat(c[0]));
            assertEquals(400, bad.statusCode(), c[0] + ": " + bad.asString());
            assertEquals(c[1], bad.jsonPath().getString("error.param"), c[0]);
            assertEquals(c[2], bad.jsonPath().getString("error.code"), c[0]);
            assertTrue(bad.jsonPath().getString("error.message").contains(c[3]), bad.asString());
        }
        Response unknown = OpenAiChatTest.post(OpenAiChatTest.chat("\"cache_mode\":\"dual\""));
        assertEquals(400, unknown.statusCode());
        assertEquals("unknown_parameter", unknown.jsonPath().getString("error.code"));
        assertFalse(unknown.asString().contains("Is there an effusion?"));
    }
}
