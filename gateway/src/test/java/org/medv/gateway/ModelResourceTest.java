package org.medv.gateway;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** GET /v1/model (name, the model's sampler defaults, examples with questions) and the example images. */
@QuarkusTest
class ModelResourceTest extends GatewayTestBase {
    static final byte[] PNG = "\u0089PNG example a".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] JPEG = "\u00ff\u00d8\u00ff example b".getBytes(StandardCharsets.ISO_8859_1);
    static Path modelDir;

    @BeforeAll
    static void writeExamples() throws IOException {
        modelDir = Path.of(ConfigProvider.getConfig().getValue("medv.model.dir", String.class));
        Path examples = Files.createDirectories(modelDir.resolve("examples"));
        Files.write(examples.resolve("scan-a.png"), PNG);
        Files.write(examples.resolve("scan-b.JPG"), JPEG);
        Files.writeString(examples.resolve("notes.txt"), "not an image");
        Files.createDirectories(examples.resolve("folder.png"));
        Files.writeString(examples.resolve("examples.json"), """
                [{"image": "scan-a.png", "question": "Which modality is this?", "answer": "mri"},
                 {"image": "missing.png", "question": "Never listed?"},
                 {"image": "scan-a.png", "question": "How many lesions are there?", "answer": "2"}]
                """);
    }

    @Test
    void modelGivesNameDefaultsAndExamplesWithQuestions() {
        RestAssured.get("/v1/model").then().statusCode(200)
                .contentType("application/json")
                .body("model", equalTo(modelDir.getFileName().toString()))
                // the gateway tests' model declares 16 / 8 / 16 and temperature 0.5 in its generation_config.json
                .body("defaults", equalTo(Map.of("gen_length", 16, "block_length", 8, "steps", 16,
                        "temperature", 0.5f, "seed", 0, "cfg_scale", 0.0f, "remasking", "low_confidence",
                        "cache", "none", "threshold", 0.0f, "refresh_every", 0)))
                .body("examples", equalTo(List.of(
                        Map.of("name", "scan-a.png", "url", "/v1/model/examples/scan-a.png",
                                "questions", List.of("Which modality is this?", "How many lesions are there?")),
                        Map.of("name", "scan-b.JPG", "url", "/v1/model/examples/scan-b.JPG",
                                "questions", List.of()))));
    }

    @Test
    void exampleImagesAreServedWithTheirType() {
        Response png = RestAssured.get("/v1/model/examples/scan-a.png");
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.contentType());
        assertArrayEquals(PNG, png.asByteArray());
        Response jpeg = RestAssured.get("/v1/model/examples/scan-b.JPG");
        assertEquals(200, jpeg.statusCode());
        assertEquals("image/jpeg", jpeg.contentType());
        assertArrayEquals(JPEG, jpeg.asByteArray());
    }

    @Test
    void onlyListedImagesAreServedNeverAPathOutOfExamples() {
        for (String name : List.of("..%2Fconfig.json", "%2E%2E%2Fconfig.json", "..%5Cconfig.json",
                "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "notes.txt", "examples.json", "folder.png",
                "missing.png", "scan-a.png%00.txt", "SCAN-A.PNG")) {
            Response r = RestAssured.given().urlEncodingEnabled(false).get("/v1/model/examples/" + name);
            assertEquals(404, r.statusCode(), name + ": " + r.asString());
            assertFalse(r.asString().contains("vocab_size"), "config.json leaked for " + name);
        }
        for (String path : List.of("/v1/model/examples/../config.json", "/v1/model/examples/../../config.json",
                "/v1/model/examples/%2e%2e/config.json", "/v1/model/examples/")) {
            Response r = RestAssured.given().urlEncodingEnabled(false).get(path);
            assertEquals(404, r.statusCode(), path + ": " + r.asString());
            assertFalse(r.asString().contains("vocab_size"), "config.json leaked for " + path);
        }
    }
}
