package org.medv.cli;

import com.google.gson.JsonParser;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.Timings;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code medv ask} against a scripted gateway: the text output (drafts, then the answer) and {@code --format json},
 * one object with the final event's values under {@code generate}'s names.
 */
class AskCliTest {
    private static final AnswerEvent DRAFT = AnswerEvent.newBuilder().setRequestId("r-42").setStep(1)
            .setTotalSteps(2).setDraft("le░").setPlaceholder("░").build();
    private static final AnswerEvent FINAL = AnswerEvent.newBuilder().setRequestId("r-42").setStep(2)
            .setTotalSteps(2).setFinal(true).setText("left").setFinishReason(FinishReason.FINISH_REASON_STOP)
            .addAllOutputIds(List.of(301, 302, 405)).setTimings(Timings.newBuilder().setQueueMs(3).setVisionMs(5)
                    .setFirstStepMs(7).setGenerateMs(40).setTotalMs(60).setSteps(8)).build();

    private final List<AskRequest> received = new CopyOnWriteArrayList<>();
    private List<AnswerEvent> script;
    private Server server;

    @BeforeEach
    void start() throws IOException {
        server = ServerBuilder.forPort(0).addService(new AssistantGrpc.AssistantImplBase() {
            @Override
            public void ask(AskRequest request, StreamObserver<AnswerEvent> events) {
                received.add(request);
                script.forEach(events::onNext);
                events.onCompleted();
            }
        }).build().start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GenerateGoldenCliTest.Result ask(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("ask", "--port", Integer.toString(server.getPort()),
                "--gen-length", "8", "--block-length", "8", "--steps", "8", "Which side?"));
        args.addAll(List.of(extra));
        return GenerateGoldenCliTest.medv(args.toArray(String[]::new));
    }

    @Test
    void textPrintsEachDraftThenTheAnswer() {
        script = List.of(DRAFT, FINAL);
        GenerateGoldenCliTest.Result r = ask();
        assertEquals(0, r.code(), r.err());
        assertEquals("[1/2] le░\nleft\n", r.out());
        assertEquals("Which side?", received.get(0).getQuestion());
        assertEquals(8, received.get(0).getOptions().getGenLength());
    }

    @Test
    void jsonIsTheFinalEventAsGenerateNamesIt() {
        script = List.of(DRAFT, FINAL);
        GenerateGoldenCliTest.Result r = ask("--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), "one line, no drafts: " + r.out());
        assertEquals(JsonParser.parseString("{\"output_ids\": [301, 302, 405], \"text\": \"left\", "
                + "\"finish_reason\": \"stop\", \"steps\": 8, \"request_id\": \"r-42\", \"timing\": {\"queue_ms\": 3, "
                + "\"vision_ms\": 5, \"first_step_ms\": 7, \"generate_ms\": 40, \"total_ms\": 60, "
                + "\"ms_per_step\": 5.0}}"), r.json());
    }

    @Test
    void jsonOfAFailedRequestHasTheErrorAndExitsOne() {
        script = List.of(AnswerEvent.newBuilder().setRequestId("r-43").setFinal(true)
                .setFinishReason(FinishReason.FINISH_REASON_FAILED).setError(ErrorInfo.newBuilder()
                        .setCode("INTERNAL").setField("model").setMessage("engine stopped")).build());
        GenerateGoldenCliTest.Result r = ask("--format", "json");
        assertEquals(1, r.code(), r.err());
        assertEquals(JsonParser.parseString("{\"output_ids\": [], \"text\": \"\", \"finish_reason\": \"failed\", "
                + "\"steps\": 0, \"request_id\": \"r-43\", \"timing\": {\"queue_ms\": 0, \"vision_ms\": 0, "
                + "\"first_step_ms\": 0, \"generate_ms\": 0, \"total_ms\": 0, \"ms_per_step\": 0.0}, \"error\": "
                + "{\"code\": \"INTERNAL\", \"field\": \"model\", \"message\": \"engine stopped\"}}"), r.json());
        assertEquals("medv: engine stopped\n", r.err());
    }

    @Test
    void unknownFormatIsAnInvalidRequestBeforeAnyCall() {
        script = List.of(FINAL);
        GenerateGoldenCliTest.Result r = ask("--format", "yaml");
        assertEquals(Main.EXIT_INVALID, r.code());
        assertEquals("medv: invalid format: --format must be text or json, got yaml\n", r.err());
        assertEquals(List.of(), received);
    }
}
