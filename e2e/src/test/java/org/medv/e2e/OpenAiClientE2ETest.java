package org.medv.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.medv.e2e.Commands.Result;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.medv.e2e.Commands.blocks;
import static org.medv.e2e.Commands.run;

/**
 * The official {@code openai} npm client (version pinned in e2e/node/package-lock.json, installed here with
 * {@code npm ci}) against the packaged stack: models.list(), a non-streamed and a streamed completion with an image
 * part, a refused request; and the curl and Node examples of gateway/README.md, run as written (port aside). The
 * demo model is retrained by others: structure and invariants are asserted, never the answer's words. Skipped
 * without Node.js (.ci/run's machine has it).
 */
class OpenAiClientE2ETest {
    private static final Path NODE_DIR = Stack.repoRoot().resolve("e2e/node");
    private static final String IMAGE = "models/demo/examples/mri-left-right.png";

    @BeforeAll
    static void install() {
        assumeTrue(run(List.of("node", "--version"), NODE_DIR, Map.of(), 30).code() == 0, "Node.js is not installed");
        Stack.get();
        Result npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NODE_DIR, Map.of(), 300);
        assertEquals(0, npm.code(), "npm ci: " + npm.err());
    }

    @Test
    void theOfficialClientListsStreamsAndIsRefused() {
        Result r = run(List.of("node", "chat.mjs"), NODE_DIR, Map.of("MEDV_BASE_URL", "http://localhost:"
                + Stack.http(0) + "/v1", "MEDV_IMAGE", Stack.repoRoot().resolve(IMAGE).toString()), 300);
        assertEquals(0, r.code(), r.err());
        JsonObject seen = JsonParser.parseString(r.out()).getAsJsonObject();

        JsonObject model = seen.getAsJsonArray("models").get(0).getAsJsonObject();
        assertEquals("demo", model.get("id").getAsString(), "the model directory's name");
        assertEquals("model", model.get("object").getAsString());

        JsonObject completion = seen.getAsJsonObject("completion");
        assertEquals("chat.completion", completion.get("object").getAsString());
        assertEquals("demo", completion.get("model").getAsString());
        assertEquals(1, completion.get("choices").getAsInt());
        assertEquals("assistant", completion.get("role").getAsString());
        assertTrue(List.of("stop", "length").contains(completion.get("finish_reason").getAsString()));
        JsonObject usage = completion.getAsJsonObject("usage");
        assertTrue(usage.get("prompt_tokens").getAsInt() > 16, "the image's 16 rows are prompt tokens: " + usage);
        assertEquals(usage.get("prompt_tokens").getAsInt() + usage.get("completion_tokens").getAsInt(),
                usage.get("total_tokens").getAsInt());
        assertEquals(16, completion.getAsJsonObject("medv").get("total_steps").getAsInt());

        JsonArray chunks = seen.getAsJsonArray("chunks");
        StringBuilder text = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        JsonObject usageChunk = null;
        for (JsonElement e : chunks) {
            JsonObject c = e.getAsJsonObject();
            assertEquals("chat.completion.chunk", c.get("object").getAsString());
            assertEquals(chunks.get(0).getAsJsonObject().get("id"), c.get("id"), "one id for the stream");
            JsonObject medv = c.getAsJsonObject("medv");
            assertTrue(medv.get("step").getAsInt() >= 1 && medv.get("total_steps").getAsInt() == 16, c.toString());
            assertNotNull(medv.get("draft"));
            if (!c.get("usage").isJsonNull()) {
                usageChunk = c;
                continue;
            }
            String delta = c.get("content").getAsString();
            assertFalse(delta.contains("\uFFFD"), "no half character: " + c);
            text.append(delta);
            if (!c.get("finish_reason").isJsonNull()) {
                finishes.add(c.get("finish_reason").getAsString());
            }
        }
        assertEquals("assistant", chunks.get(0).getAsJsonObject().get("role").getAsString());
        assertEquals(1, finishes.size(), "one chunk finishes: " + chunks);
        assertNotNull(usageChunk, "stream_options.include_usage adds the usage chunk");
        assertEquals(completion.get("content").getAsString(), text.toString(),
                "the streamed deltas add up to the non-streamed answer for the same seed and options");

        JsonObject invalid = seen.getAsJsonObject("invalid");
        assertEquals(400, invalid.get("status").getAsInt(), invalid.toString());
        assertEquals("block_length", invalid.get("param").getAsString());
        assertEquals("invalid_request_error", invalid.get("type").getAsString());
        assertTrue(invalid.get("message").getAsString().contains("max_tokens=20"), invalid.toString());
        JsonObject unknown = seen.getAsJsonObject("unknownModel");
        assertEquals(404, unknown.get("status").getAsInt());
        assertEquals("model_not_found", unknown.get("code").getAsString());
    }

    @Test
    void theReadmeExamplesRunAsWritten() throws IOException {
        String readme = Files.readString(Stack.repoRoot().resolve("gateway/README.md"));
        String port = "localhost:" + Stack.http(0);
        List<String> curls = blocks(readme, "bash").stream().filter(b -> b.contains("/v1/chat/completions")
                || b.contains("/v1/models")).toList();
        assertTrue(curls.size() >= 2, "the README's curl examples");
        for (String curl : curls) {
            Result r = run(List.of("bash", "-c", curl.replace("localhost:8080", port)), Stack.repoRoot(), Map.of(),
                    120);
            assertEquals(0, r.code(), curl + "\n" + r.err());
            assertTrue(r.out().contains("\"object\":\"chat.completion") || r.out().contains("\"object\":\"list\""),
                    curl + "\n" + r.out());
            if (curl.contains("\"stream\": true")) {
                assertTrue(r.out().strip().endsWith("data: [DONE]"), r.out());
            }
        }
        List<String> node = blocks(readme, "js");
        assertEquals(1, node.size(), "the README's Node example");
        Path script = NODE_DIR.resolve("readme-example.mjs");
        Files.writeString(script, node.get(0).replace("localhost:8080", port));
        Result r = run(List.of("node", script.toString()), Stack.repoRoot(), Map.of(), 120);
        assertEquals(0, r.code(), r.err());
    }
}
