package org.medv.gateway;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.StartRequest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI-compatible API over the real pipeline: mapping onto the ask, chat.completion, streamed chunks. */
@QuarkusTest
class OpenAiChatTest extends GatewayTestBase {
    static final String DATA_URL = "data:image/png;base64," + Base64.getEncoder().encodeToString(IMAGE);

    /** A user message with a text part and an image part, plus the given top-level fields. */
    static String chat(String extra) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Is there an effusion?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + DATA_URL + "\"}}]}]"
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** As OpenAI's clients send it: Accept: application/json, streamed or not. */
    static Response post(String body) {
        return RestAssured.given().contentType("application/json").accept("application/json").body(body)
                .post("/v1/chat/completions");
    }

    static String modelId() {
        return RestAssured.get("/v1/models").jsonPath().getString("data[0].id");
    }

    @Test
    void nonStreamingAnswersAChatCompletionThroughTheAskPipeline() {
        Response r = post(chat("\"model\":\"" + modelId() + "\",\"max_tokens\":16,\"steps\":8,\"seed\":3,"
                + "\"temperature\":0.5,\"remasking\":\"random\",\"metadata\":{\"correlation\":\"c-7\"},"
                + "\"n\":1,\"top_p\":1,\"presence_penalty\":0,\"frequency_penalty\":0,\"logit_bias\":{},"
                + "\"logprobs\":false,\"tools\":[],\"tool_choice\":\"none\",\"response_format\":{\"type\":\"text\"},"
                + "\"user\":\"u-1\",\"store\":false,\"stream\":false"));
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonPath j = r.jsonPath();
        assertEquals("chat.completion", j.getString("object"));
        assertTrue(j.getString("id").startsWith("chatcmpl-"));
        assertEquals(modelId(), j.getString("model"));
        assertEquals("assistant", j.getString("choices[0].message.role"));
        assertEquals(FakeBackends.ANSWER, j.getString("choices[0].message.content"));
        assertEquals("stop", j.getString("choices[0].finish_reason"));
        assertEquals(1, j.getList("choices").size());

        StartRequest start = backends.startOf(j.getString("id").substring("chatcmpl-".length()));
        assertNotNull(start, "Denoiser.Start with the chat's request id");
        assertEquals(16, start.getOptions().getGenLength());
        assertEquals(8, start.getOptions().getBlockLength(),
                "max_tokens=16 is two blocks of the test model's default block_length 8");
        assertEquals(8, start.getOptions().getSteps());
        assertEquals(3, start.getOptions().getSeed());
        assertEquals(0.5, start.getOptions().getTemperature());
        assertEquals(org.medv.proto.v1.Remasking.REMASKING_RANDOM, start.getOptions().getRemasking());
        assertEquals("c-7", start.getMetadata().getLabelsOrThrow("correlation"));
        assertTrue(start.getPromptIdsList().contains(-200), "the image part is the ask's image");
        assertEquals(1, start.getImagesCount());
        int prompt = start.getPromptIdsCount() - 1 + FakeBackends.IMAGE_ROWS;
        assertEquals(prompt, j.getInt("usage.prompt_tokens"), "prompt positions with the image rows");
        assertEquals(backends.answerIds().length, j.getInt("usage.completion_tokens"));
        assertEquals(prompt + backends.answerIds().length, j.getInt("usage.total_tokens"));
        assertEquals(8, j.getInt("medv.total_steps"));
        assertEquals(8, j.getInt("medv.timings.steps"));
    }

    @Test
    void streamedDeltasOnlyGrowAndAddUpToTheFinalText() {
        String body = chat("\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":32,"
                + "\"steps\":8,\"metadata\":{\"script\":\"unicode\"}");
        Response r = post(body);
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("text/event-stream"), r.contentType());
        List<String> data = SseParsing.parse(r.asString()).stream().map(e -> e[1]).toList();
        assertEquals("[DONE]", data.get(data.size() - 1));
        List<JsonPath> chunks = data.subList(0, data.size() - 1).stream().map(JsonPath::from).toList();
        JsonPath usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.getList("choices").size(), "the usage chunk has no choices");
        assertEquals(usage.getInt("usage.prompt_tokens") + usage.getInt("usage.completion_tokens"),
                usage.getInt("usage.total_tokens"));
        List<JsonPath> choices = chunks.subList(0, chunks.size() - 1);
        assertTrue(choices.size() >= 3, "drafts then the final chunk: " + data);
        assertEquals("assistant", choices.get(0).getString("choices[0].delta.role"));
        StringBuilder text = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        for (JsonPath c : choices) {
            assertEquals("chat.completion.chunk", c.getString("object"));
            assertEquals(choices.get(0).getString("id"), c.getString("id"));
            assertTrue(c.getMap("").containsKey("usage") && c.get("usage") == null, "usage: null before the end");
            String delta = c.getString("choices[0].delta.content");
            assertNotNull(delta, "every chunk has a content string");
            assertFalse(delta.contains("\uFFFD"), "no half character: " + delta);
            text.append(delta);
            assertTrue(FakeBackends.UNICODE_ANSWER.startsWith(text.toString()), "a prefix of the answer: " + text);
            assertTrue(c.getInt("medv.step") >= 1 && c.getInt("medv.total_steps") == 8, c.prettify());
            assertNotNull(c.getString("medv.draft"));
            if (c.getString("choices[0].finish_reason") != null) {
                finishes.add(c.getString("choices[0].finish_reason"));
            }
        }
        assertEquals(FakeBackends.UNICODE_ANSWER, text.toString(), "concatenated deltas == final text");
        assertEquals(List.of("stop"), finishes, "only the final chunk finishes");
        assertTrue(choices.stream().anyMatch(c -> c.getString("medv.draft").contains("\u2591")),
                "a draft shows placeholders");
        assertTrue(choices.stream().limit(choices.size() - 1)
                .anyMatch(c -> !c.getString("choices[0].delta.content").isEmpty()), "text arrives before the end");

        Response once = post(body.replace("\"stream\":true,\"stream_options\":{\"include_usage\":true},", ""));
        assertEquals(text.toString(), once.jsonPath().getString("choices[0].message.content"),
                "the same request unstreamed answers the same text");
    }

    @Test
    void maxTokensChoosesBlockLengthAndSteps() {
        Map<String, int[]> cases = Map.of(
                // the test model declares 16 / 8 / 16: blocks of 8, one step per token
                "\"max_tokens\":32", new int[]{32, 8, 32},
                "\"max_completion_tokens\":256", new int[]{256, 8, 256},
                "\"max_tokens\":24,\"block_length\":8", new int[]{24, 8, 24},
                "\"max_tokens\":12,\"steps\":6", new int[]{12, 12, 6},
                "\"max_tokens\":24,\"steps\":6", new int[]{24, 8, 6});
        cases.forEach((fields, expected) -> {
            Response r = post(chat(fields));
            assertEquals(200, r.statusCode(), fields + ": " + r.asString());
            var o = backends.startOf(r.jsonPath().getString("id").substring(9)).getOptions();
            assertEquals(expected[0], o.getGenLength(), fields);
            assertEquals(expected[1], o.getBlockLength(), fields);
            assertEquals(expected[2], o.getSteps(), fields);
        });
        Response r = post("{\"messages\":[{\"role\":\"user\",\"content\":\"Which side?\"}],\"max_tokens\":8}");
        StartRequest start = backends.startOf(r.jsonPath().getString("id").substring(9));
        assertEquals(0, start.getImagesCount(), "a text-only chat");
        assertFalse(start.getPromptIdsList().contains(-200));
    }

    @Test
    void multiTurnMessagesBecomeTheConversationWithTheImageInTheFirstUserTurn() {
        String body = "{\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"" + DATA_URL + "\",\"detail\":\"low\"}},{\"type\":\"text\",\"text\":"
                + "\"Which modality?\"}]},{\"role\":\"assistant\",\"content\":\"mri\"},{\"role\":\"user\","
                + "\"name\":\"dr\",\"content\":\"Which side?\"}]}";
        Response r = post(body);
        assertEquals(200, r.statusCode(), r.asString());
        StartRequest start = backends.startOf(r.jsonPath().getString("id").substring(9));
        List<Integer> ids = start.getPromptIdsList();
        assertEquals(1, ids.stream().filter(i -> i == -200).count());
        // the image opens the first user turn; then both user turns and the assistant turn, in order
        int at = ids.indexOf(-200);
        String before;
        String after;
        try (var tokenizer = org.medv.model.text.TextTokenizer.load(java.nio.file.Path.of(org.eclipse.microprofile
                .config.ConfigProvider.getConfig().getValue("medv.model.dir", String.class)))) {
            before = tokenizer.decode(ids.subList(0, at).stream().mapToInt(Integer::intValue).toArray(), false);
            after = tokenizer.decode(ids.subList(at + 1, ids.size()).stream().mapToInt(Integer::intValue).toArray(),
                    false);
        }
        assertTrue(before.endsWith("user<|end_header_id|>\n\n"), before);
        int modality = after.indexOf("Which modality?");
        int mri = after.indexOf("mri", modality);
        assertTrue(modality >= 0 && mri > modality && after.indexOf("Which side?") > mri, after);
    }

    @Test
    void closingAStreamsConnectionCancelsTheGeneration() throws Exception {
        int before = backends.starts.size();
        byte[] body = chat("\"max_tokens\":8,\"stream\":true,\"metadata\":{\"script\":\"slow\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String id;
        try (var socket = new java.net.Socket("localhost", RestAssured.port)) {
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            id = awaitSlowStart(before);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String line = in.readLine();
            while (line != null && !line.startsWith("data:")) {
                line = in.readLine();
            }
            assertNotNull(line, "a first chunk arrived");
        }
        long until = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!backends.cancels.contains(id) && System.nanoTime() < until) {
            sleep(50);
        }
        assertTrue(backends.cancels.contains(id), "Denoiser.Cancel called for " + id);
    }

    /** The request id of the first Denoiser.Start after {@code before} with the slow script. */
    private static String awaitSlowStart(int before) {
        long until = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            synchronized (backends.starts) {
                for (StartRequest s : backends.starts.subList(before, backends.starts.size())) {
                    if (s.getMetadata().getLabelsOrDefault("script", "").equals("slow")) {
                        return s.getRequestId();
                    }
                }
            }
            sleep(50);
        }
        throw new AssertionError("Denoiser.Start never called");
    }

    @Test
    void modelsListsTheServedModel() {
        JsonPath list = RestAssured.get("/v1/models").then().statusCode(200).extract().jsonPath();
        assertEquals("list", list.getString("object"));
        assertEquals(1, list.getList("data").size());
        String id = list.getString("data[0].id");
        String dir = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("medv.model.dir",
                String.class);
        assertEquals(java.nio.file.Path.of(dir).getFileName().toString(), id, "the model directory's name");
        assertEquals("model", list.getString("data[0].object"));
        assertEquals("medv", list.getString("data[0].owned_by"));
        assertTrue(list.getLong("data[0].created") > 0);
        JsonPath one = RestAssured.get("/v1/models/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(id, one.getString("id"));
        assertNull(one.get("data"));
    }
}
