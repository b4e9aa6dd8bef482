package org.medv.evaluator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An OpenAI-compatible {@code /v1/chat/completions} judge on a free loopback port, configured as the evaluator's
 * judge with one retry. It scores every candidate answer "8 6", except a candidate that starts with
 * {@value #MALFORMED}, for which it always replies with a first line that is not two scores.
 */
public class FakeJudgeResource implements QuarkusTestResourceLifecycleManager {
    static final String MALFORMED = "GARBLE";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", FakeJudgeResource::handle);
        server.start();
        String baseUrl = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/v1";
        return Map.of("medv.evaluator.judge.base-url", baseUrl, "medv.evaluator.judge.max-retries", "1",
                "medv.evaluator.judge.api-key", "test-key");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        JsonObject request = JsonParser.parseString(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        String user = request.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString();
        boolean malformed = user.contains("[Assistant 2]\n" + MALFORMED);
        byte[] body = completion(malformed ? "Both assistants did well.\n8 6"
                : "8 6\nAssistant 2 names the finding but not its location.").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String completion(String content) {
        JsonObject message = new JsonObject();
        message.addProperty("role", "assistant");
        message.addProperty("content", content);
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("message", message);
        choice.addProperty("finish_reason", "stop");
        JsonArray choices = new JsonArray();
        choices.add(choice);
        JsonObject body = new JsonObject();
        body.addProperty("object", "chat.completion");
        body.add("choices", choices);
        return body.toString();
    }
}
