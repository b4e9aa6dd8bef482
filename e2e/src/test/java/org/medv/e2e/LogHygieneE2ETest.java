package org.medv.e2e;

import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Patient data never reaches the services' logs: no question text, no image bytes; request ids do. */
class LogHygieneE2ETest {

    @Test
    void logsCarryRequestIdsButNoQuestionsOrImages() throws Exception {
        Stack stack = Stack.get();
        String marker = "patient" + UUID.randomUUID().toString().replace("-", "");
        byte[] png = Clients.png(48, 48, 42);
        ManagedChannel ch = Clients.channel(0);
        String requestId;
        try {
            List<AnswerEvent> events = Clients.ask(ch, Clients.request(png, "Does " + marker + " have a lesion?", 8, 8,
                    8));
            requestId = events.get(events.size() - 1).getRequestId();
        } finally {
            ch.shutdownNow();
        }
        // an HTTP request too, and one that fails validation
        Clients.HttpAnswer http = Clients.postMultipart(0, png, Clients.fields("And " + marker + "?", 8, 8, 8));
        String httpId = requestId(http);
        Clients.HttpAnswer refused = Clients.postMultipart(0, png, Clients.fields("Again " + marker + "?", 20, 8, 8));
        assertTrue(refused.status() == 400, "gen_length 20 is not a multiple of block_length 8: " + refused.status());
        // the denoiser's "finished" line is the last one a request writes (after its final records are committed);
        // the refusal was logged before its response was sent
        Path dir = stack.services.settings().runDir().resolve("logs");
        String logs = awaitLines(dir, List.of("request " + requestId + " finished", "request " + httpId + " finished"),
                Duration.ofSeconds(60));
        assertFalse(logs.contains(marker), "question text leaked into a log");
        String base64Head = java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(png, 48));
        assertFalse(logs.contains(base64Head), "image bytes leaked into a log");
        assertFalse(logs.contains(HexFormat.of().formatHex(java.util.Arrays.copyOf(png, 32))),
                "image bytes leaked into a log");
        assertTrue(logs.contains(requestId), "request ids are logged");
    }

    /** The request id of an HTTP answer's final event. */
    private static String requestId(Clients.HttpAnswer answer) {
        for (int i = answer.events().size() - 1; i >= 0; i--) {
            var data = answer.events().get(i).data();
            for (String key : List.of("request_id", "requestId")) {
                if (data != null && data.has(key)) {
                    return data.get(key).getAsString();
                }
            }
        }
        throw new AssertionError("no request id in the HTTP answer: " + answer.body());
    }

    /** Every service's log once all {@code lines} are in it: waits on the lines, not on a clock. */
    private static String awaitLines(Path dir, List<String> lines, Duration limit) throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (true) {
            String logs = allLogs(dir);
            if (lines.stream().allMatch(logs::contains)) {
                return logs;
            }
            assertTrue(System.nanoTime() < until, "log lines not written within " + limit + ": " + lines);
            Thread.sleep(50);
        }
    }

    private static String allLogs(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                sb.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }
}
