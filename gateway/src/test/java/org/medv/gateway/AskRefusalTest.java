package org.medv.gateway;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.GenerationOptions;
import org.medv.serving.Statuses;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refusals on both entry points: bad input, a full queue, a bad image; the gateway keeps serving. */
@QuarkusTest
class AskRefusalTest extends GatewayTestBase {
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
}
