package org.medv.testkit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An OpenAI-compatible {@code /v1/chat/completions} endpoint on loopback, the stand-in for a paid LLM judge in
 * tests: it replies from a script, then with the fallback (a fixed reply, or one computed from the candidate
 * answer), and records every request and the peak number of requests in flight.
 */
public final class FakeJudgeServer implements AutoCloseable {
    public record Reply(int status, Map<String, String> headers, String body, long holdMs) {
        public static Reply completion(String content) {
            return completion(content, 0);
        }

        public static Reply completion(String content, long holdMs) {
            JsonObject message = new JsonObject();
            message.addProperty("role", "assistant");
            message.addProperty("content", content);
            JsonObject choice = new JsonObject();
            choice.addProperty("index", 0);
            choice.add("message", message);
            choice.addProperty("finish_reason", "stop");
            JsonObject body = new JsonObject();
            body.addProperty("id", "chatcmpl-test");
            body.addProperty("object", "chat.completion");
            com.google.gson.JsonArray choices = new com.google.gson.JsonArray();
            choices.add(choice);
            body.add("choices", choices);
            return new Reply(200, Map.of("Content-Type", "application/json"), body.toString(), holdMs);
        }

        public static Reply status(int status, String body, Map<String, String> headers) {
            return new Reply(status, headers, body, 0);
        }
    }

    public record Received(JsonObject body, String authorization, String path, long atNanos) {
    }

    /** Requests held unanswered until {@link #open}: {@link #arrived} completes when the first one comes. */
    public static final class Gate {
        private final java.util.concurrent.CompletableFuture<Void> arrived =
                new java.util.concurrent.CompletableFuture<>();
        private final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);

        public java.util.concurrent.CompletableFuture<Void> arrived() {
            return arrived;
        }

        /** Lets every held request (and every later one) be answered. */
        public void open() {
            open.countDown();
        }
    }

    private volatile Gate gate;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<String, Reply> fallback = candidate -> Reply.completion("8 7\nBoth answers are fine.");

    public FakeJudgeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/v1";
    }

    public FakeJudgeServer then(Reply reply) {
        script.add(reply);
        return this;
    }

    public FakeJudgeServer otherwise(Reply reply) {
        fallback = candidate -> reply;
        return this;
    }

    /** Replies computed from the candidate answer (assistant 2 of the review prompt) once the script is used up. */
    public FakeJudgeServer otherwise(Function<String, Reply> byCandidate) {
        fallback = byCandidate;
        return this;
    }

    /** Assistant 2's answer in a review request's user message. */
    public static String candidate(JsonObject request) {
        String user = request.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString();
        int start = user.indexOf("[Assistant 2]\n");
        int end = user.indexOf("\n\n[End of Assistant 2]");
        return start < 0 || end < start ? "" : user.substring(start + "[Assistant 2]\n".length(), end);
    }

    /** Holds every request from now on, unanswered, until the returned gate is opened. */
    public Gate hold() {
        Gate g = new Gate();
        gate = g;
        return g;
    }

    public List<Received> received() {
        return received;
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonObject request = JsonParser.parseString(body).getAsJsonObject();
            received.add(new Received(request, exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestURI().getPath(), System.nanoTime()));
            Gate g = gate;
            if (g != null) {
                g.arrived.complete(null);
                g.open.await();
            }
            Reply reply = script.poll();
            if (reply == null) {
                reply = fallback.apply(candidate(request));
            }
            if (reply.holdMs() > 0) {
                Thread.sleep(reply.holdMs());
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
