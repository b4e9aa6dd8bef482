package org.medv.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions endpoint on loopback for the end-to-end evaluation: it scores the reference
 * 8 and the candidate 6 (relative score 75) unless the candidate is empty (then 2: 25).
 */
final class FakeJudge implements AutoCloseable {
    private final HttpServer server;
    final AtomicInteger calls = new AtomicInteger();

    FakeJudge() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", ex -> {
            calls.incrementAndGet();
            JsonObject req = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)).getAsJsonObject();
            String user = req.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString();
            String candidate = user.substring(user.indexOf("[Assistant 2]\n") + 14, user.indexOf("\n\n[End of Assistant 2]"));
            String verdict = (candidate.isBlank() ? "8 2" : "8 6") + "\nAssistant 1 is more detailed.";
            JsonObject message = new JsonObject();
            message.addProperty("role", "assistant");
            message.addProperty("content", verdict);
            JsonObject choice = new JsonObject();
            choice.add("message", message);
            choice.addProperty("index", 0);
            JsonArray choices = new JsonArray();
            choices.add(choice);
            JsonObject body = new JsonObject();
            body.add("choices", choices);
            byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    String baseUrl() {
        return "http://localhost:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
