package org.medv.gateway;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Remasking;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.TokenIds;
import org.medv.serving.Statuses;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The served model's sampler defaults (its generation_config.json: gen_length 16, block_length 8, steps 16,
 * temperature 0.5, see {@link GatewayTestBase}) for options a request leaves unset, on both entry points, and
 * {@code forbid_ids} from the client to Denoiser.Start.
 */
@QuarkusTest
class AskDefaultsTest extends GatewayTestBase {
    @Inject
    ModelHolder models;

    private static AskRequest.Builder question() {
        return ask(8, 8, 8).clearOptions();
    }

    private static List<Integer> lengths(GenerationOptions o) {
        return List.of(o.getGenLength(), o.getBlockLength(), o.getSteps());
    }

    @Test
    void theHolderExposesTheModelsDefaults() {
        org.medv.model.sampler.GenerationOptions d = models.generationDefaults();
        assertEquals(List.of(16, 8, 16), List.of(d.genLength(), d.blockLength(), d.steps()));
        assertEquals(0.5, d.temperature());
        assertEquals(org.medv.model.sampler.Remasking.LOW_CONFIDENCE, d.remasking());
    }

    @Test
    void anUnsetRequestRunsWithTheModelsDefaults() {
        List<AnswerEvent> events = new ArrayList<>();
        assistant().ask(question().build()).forEachRemaining(events::add);
        AnswerEvent last = events.get(events.size() - 1);
        assertTrue(last.getFinal());
        assertTrue(events.stream().allMatch(e -> e.getTotalSteps() == 16), "the model's 16 steps streamed");
        assertEquals(16, last.getStep());

        GenerationOptions sent = backends.startOf(last.getRequestId()).getOptions();
        assertEquals(List.of(16, 8, 16), lengths(sent));
        assertTrue(sent.hasTemperature() && sent.hasCfgScale() && sent.hasSeed(), "every value is sent: " + sent);
        assertEquals(0.5, sent.getTemperature());
        assertEquals(Remasking.REMASKING_LOW_CONFIDENCE, sent.getRemasking());
        assertFalse(sent.hasForbidIds(), "unset forbid_ids: the model's special tokens");
        assertEquals(sent, last.getOptions(), "the final event says what ran");
        assertTrue(events.stream().filter(e -> !e.getFinal()).noneMatch(AnswerEvent::hasOptions));
    }

    @Test
    void explicitValuesWinAndAnExplicitZeroTemperatureIsKept() {
        AnswerEvent e = assistant().askOnce(ask(8, 8, 4).build());
        assertEquals(List.of(8, 8, 4), lengths(backends.startOf(e.getRequestId()).getOptions()));

        e = assistant().askOnce(question().setOptions(GenerationOptions.newBuilder().setGenLength(32)
                .setTemperature(0)).build());
        GenerationOptions sent = backends.startOf(e.getRequestId()).getOptions();
        assertEquals(List.of(32, 8, 16), lengths(sent), "gen_length given, the model's block_length and steps");
        assertTrue(sent.hasTemperature());
        assertEquals(0.0, sent.getTemperature(), "0 is greedy, not 'unset'");
        assertEquals(16, e.getTotalSteps());
    }

    @Test
    void httpAppliesTheSameDefaultsAndReportsThemOnTheFinalEvent() {
        Response r = RestAssured.given().contentType("application/json")
                .body("{\"question\":\"Is there an effusion?\",\"options\":{\"steps\":8}}").post("/v1/ask");
        assertEquals(200, r.statusCode(), r.asString());
        List<String[]> events = SseParsing.parse(r.asString());
        String[] last = events.get(events.size() - 1);
        assertEquals("final", last[0]);
        JsonObject options = JsonParser.parseString(last[1]).getAsJsonObject().getAsJsonObject("options");
        assertEquals(16, options.get("gen_length").getAsInt());
        assertEquals(8, options.get("block_length").getAsInt());
        assertEquals(8, options.get("steps").getAsInt());
        assertEquals(0.5, options.get("temperature").getAsDouble());

        r = RestAssured.given().multiPart("question", "Is there an effusion?").multiPart("gen_length", "")
                .post("/v1/ask");
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(List.of(16, 8, 16), lengths(backends.startOf(requestId(r)).getOptions()),
                "an empty form field is unset");
    }

    @Test
    void forbidIdsReachTheDenoiserFromEveryEntryPoint() {
        AnswerEvent e = assistant().askOnce(question().setOptions(GenerationOptions.newBuilder()
                .setForbidIds(TokenIds.newBuilder().addIds(3).addIds(4))).build());
        assertEquals(List.of(3, 4), backends.startOf(e.getRequestId()).getOptions().getForbidIds().getIdsList());

        StartRequest none = backends.startOf(requestId(RestAssured.given().multiPart("question", "q")
                .multiPart("forbid_ids", "none").post("/v1/ask")));
        assertTrue(none.getOptions().hasForbidIds(), "none is set and empty, not the model's default");
        assertEquals(List.of(), none.getOptions().getForbidIds().getIdsList());

        StartRequest form = backends.startOf(requestId(RestAssured.given().multiPart("question", "q")
                .multiPart("forbid_ids", "5, 6").post("/v1/ask")));
        assertEquals(List.of(5, 6), form.getOptions().getForbidIds().getIdsList());

        StartRequest json = backends.startOf(requestId(RestAssured.given().contentType("application/json")
                .body("{\"question\":\"q\",\"options\":{\"forbid_ids\":[7]}}").post("/v1/ask")));
        assertEquals(List.of(7), json.getOptions().getForbidIds().getIdsList());
    }

    @Test
    void forbidIdsOutsideTheVocabularyAreRefusedNamingTheFieldAndTheSize() {
        int vocab = models.model().config().llm().vocabSize();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> assistant().askOnce(question()
                .setOptions(GenerationOptions.newBuilder().setForbidIds(TokenIds.newBuilder().addIds(1)
                        .addIds(vocab))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("forbid_ids", e.getTrailers().get(Statuses.FIELD));
        assertTrue(e.getStatus().getDescription().contains("vocabulary of " + vocab + " ids"),
                e.getStatus().getDescription());

        for (Response r : List.of(
                RestAssured.given().multiPart("question", "q").multiPart("forbid_ids", "1," + vocab).post("/v1/ask"),
                RestAssured.given().multiPart("question", "q").multiPart("forbid_ids", "-1").post("/v1/ask"),
                RestAssured.given().contentType("application/json")
                        .body("{\"question\":\"q\",\"options\":{\"forbid_ids\":[" + vocab + "]}}").post("/v1/ask"))) {
            assertEquals(400, r.statusCode(), r.asString());
            assertEquals("forbid_ids", r.jsonPath().getString("error.field"));
            assertTrue(r.jsonPath().getString("error.message").contains("vocabulary of " + vocab + " ids"),
                    r.asString());
        }
        Response notIds = RestAssured.given().multiPart("question", "q").multiPart("forbid_ids", "1,x")
                .post("/v1/ask");
        assertEquals(400, notIds.statusCode());
        assertEquals("forbid_ids", notIds.jsonPath().getString("error.field"));
    }

    private static String requestId(Response sse) {
        assertEquals(200, sse.statusCode(), sse.asString());
        List<String[]> events = SseParsing.parse(sse.asString());
        return JsonParser.parseString(events.get(events.size() - 1)[1]).getAsJsonObject().get("request_id")
                .getAsString();
    }
}
