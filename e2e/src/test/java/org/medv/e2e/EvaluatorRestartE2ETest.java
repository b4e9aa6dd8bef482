package org.medv.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.testkit.FakeJudgeServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator process killed with -9 in the middle of a run, while it waits for the judge on an answer (the fake
 * judge holds the request, so the kill provably lands mid-run): the stack's supervisor starts it again, the new
 * process scores what the dead one had not committed, and {@code ./medv eval run}, which waited across the restart,
 * reports every question exactly once.
 */
class EvaluatorRestartE2ETest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String EVALUATOR = "http://localhost:" + Stack.EVALUATOR_HTTP;

    @Test
    void anEvaluatorKilledMidRunIsRestartedAndCountsEachQuestionOnce() throws Exception {
        Stack stack = Stack.get();
        SupervisedProcess evaluator = stack.services.processes().stream()
                .filter(p -> p.name().equals("evaluator-service")).findFirst().orElseThrow();
        Path dir = EvaluationE2ETest.writeQa50(Stack.repoRoot().resolve("e2e/target/eval-restart"));
        String run = "e2e-evaluator-restart-" + System.nanoTime();
        int judgedBefore = stack.judge.received().size();
        int restartsBefore = evaluator.restarts();
        FakeJudgeServer.Gate gate = stack.judge.hold();
        CompletableFuture<Commands.Result> cli;
        long pid;
        try {
            cli = CompletableFuture.supplyAsync(() -> Commands.medv("eval", "run", "--dataset", "qa50", "--data",
                    dir.toString(), "--run-id", run, "--port", Integer.toString(Stack.grpc(0)), "--evaluator",
                    EVALUATOR, "--gen-length", "8", "--block-length", "8", "--steps", "8", "--format", "json"));
            gate.arrived().get(WAIT.toSeconds(), TimeUnit.SECONDS); // the evaluator waits on the judge: mid-run
            var victim = evaluator.current();
            pid = victim.pid();
            victim.kill();
            assertTrue(victim.waitFor(Duration.ofSeconds(30)), "the evaluator ended");
        } finally {
            gate.open();
        }
        Commands.Result result = cli.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, result.code(), result.err());
        assertEquals(restartsBefore + 1, evaluator.restarts(), "the supervisor restarted the evaluator once");
        assertTrue(evaluator.current().pid() != pid, "a new evaluator process");

        JsonObject report = JsonParser.parseString(result.out()).getAsJsonObject();
        List<String> lines = Arrays.stream(get("/runs/" + run + "/results.jsonl").split("\n"))
                .filter(l -> !l.isBlank()).toList();
        List<String> questions = lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject()
                .get("questionId").getAsString()).toList();
        int judged = stack.judge.received().size() - judgedBefore;
        System.out.printf("evaluator killed mid-run: questions 2, results %d (%s), judge requests %d, restarts %d%n",
                lines.size(), questions, judged, evaluator.restarts() - restartsBefore);
        assertEquals(List.of("0", "1"), questions.stream().sorted().toList(), "each question scored once");
        assertTrue(judged >= 3, "the answer judged when the evaluator died was judged again: " + judged);
        assertEquals(2, report.get("questions").getAsInt(), report.toString());
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(EVALUATOR + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }
}
