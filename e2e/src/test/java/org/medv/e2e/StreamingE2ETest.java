package org.medv.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.cli.Main;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.FinishReason;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answer streams through gateway, vision, denoiser and Kafka: drafts with placeholders, then one final event
 * whose answer is exactly what {@code medv generate} prints for the same inputs (temperature 0); the same over SSE;
 * two gateways each deliver only their own requests' events.
 */
class StreamingE2ETest {
    private static final String QUESTION = "Is there a lesion in the left lung?";
    private static ManagedChannel g0;
    private static ManagedChannel g1;

    @BeforeAll
    static void stack() {
        Stack.get();
        g0 = Clients.channel(0);
        g1 = Clients.channel(1);
    }

    @AfterAll
    static void close() {
        g0.shutdownNow();
        g1.shutdownNow();
    }

    @Test
    void grpcDraftsThenFinalEqualToTheCli() throws Exception {
        byte[] png = Clients.png(64, 48, 1);
        List<AnswerEvent> events = Clients.ask(g0, Clients.request(png, QUESTION, 16, 8, 16));
        AnswerEvent last = events.get(events.size() - 1);
        assertTrue(last.getFinal(), "the stream ends with the final event");
        assertEquals(1, events.stream().filter(AnswerEvent::getFinal).count(), "exactly one final event");
        assertTrue(events.stream().anyMatch(e -> !e.getFinal() && e.getDraft().contains(last.getPlaceholder())),
                "at least one draft shows masked placeholders");
        assertEquals(1, events.stream().map(AnswerEvent::getRequestId).distinct().count());

        Path image = Files.createTempFile("e2e", ".png");
        Files.write(image, png);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), "generate", "--model",
                Stack.get().modelDir.toString(), "--image", image.toString(), "--question", QUESTION,
                "--gen-length", "16", "--block-length", "8", "--steps", "16", "--format", "json");
        assertEquals(0, code, err.toString());
        JsonObject cli = JsonParser.parseString(out.toString()).getAsJsonObject();
        assertEquals(cli.get("text").getAsString(), last.getText());
        assertEquals(cli.getAsJsonArray("output_ids").toString(), last.getOutputIdsList().toString()
                .replace(" ", ""));
        assertFalse(last.getFinishReason() == FinishReason.FINISH_REASON_FAILED);
    }

    @Test
    void sseCarriesTheSameAnswer() {
        byte[] png = Clients.png(64, 48, 1);
        Clients.HttpAnswer http = Clients.postMultipart(0, png, Clients.fields(QUESTION, 16, 8, 16));
        assertEquals(200, http.status(), http.body());
        List<Clients.Sse> finals = http.events().stream().filter(e -> e.event().equals("final")).toList();
        assertEquals(1, finals.size(), http.body());
        assertTrue(http.events().stream().anyMatch(e -> e.event().equals("draft")), http.body());
        List<AnswerEvent> grpc = Clients.ask(g0, Clients.request(png, QUESTION, 16, 8, 16));
        assertEquals(grpc.get(grpc.size() - 1).getText(), finals.get(0).data().get("text").getAsString());
    }

    @Test
    void twoGatewaysEachDeliverOnlyTheirOwnRequests() throws Exception {
        byte[] a = Clients.png(64, 48, 2);
        byte[] b = Clients.png(48, 64, 3);
        CompletableFuture<List<AnswerEvent>> onG0 = CompletableFuture.supplyAsync(
                () -> Clients.ask(g0, Clients.request(a, "Which side?", 32, 8, 32)));
        CompletableFuture<List<AnswerEvent>> onG1 = CompletableFuture.supplyAsync(
                () -> Clients.ask(g1, Clients.request(b, "How many lesions?", 32, 8, 32)));
        List<AnswerEvent> e0 = onG0.get();
        List<AnswerEvent> e1 = onG1.get();
        Set<String> ids0 = e0.stream().map(AnswerEvent::getRequestId).collect(Collectors.toSet());
        Set<String> ids1 = e1.stream().map(AnswerEvent::getRequestId).collect(Collectors.toSet());
        assertEquals(1, ids0.size(), "gateway 0 relayed only its request");
        assertEquals(1, ids1.size(), "gateway 1 relayed only its request");
        assertFalse(ids0.equals(ids1));
        assertTrue(e0.get(e0.size() - 1).getFinal());
        assertTrue(e1.get(e1.size() - 1).getFinal());
        // and the answers are what each gateway alone gives for the same request
        List<AnswerEvent> again = Clients.ask(g1, Clients.request(a, "Which side?", 32, 8, 32));
        assertEquals(e0.get(e0.size() - 1).getText(), again.get(again.size() - 1).getText());
    }

    @Test
    void askOnceReturnsOnlyTheFinal() {
        AnswerEvent e = AssistantGrpc.newBlockingStub(g1).askOnce(Clients.request(Clients.png(32, 32, 4),
                "Which modality?", 8, 8, 8));
        assertTrue(e.getFinal());
        assertTrue(e.getTimings().getSteps() > 0);
    }
}
