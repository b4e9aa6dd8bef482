package org.medv.evaluator;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medv.eval.Labels;
import org.medv.eval.QuestionResult;
import org.medv.eval.report.RunReport;
import org.medv.eval.vqa.VqaSummary;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.CacheMode;
import org.medv.proto.v1.GenerationOptions;
import org.medv.testkit.KafkaTestResource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator against a real in-process broker: answers produced to {@code medv.answers} as the denoiser produces
 * them, scores read back from {@code medv.scores} and the reports over REST. No judge is configured here.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
class EvaluatorServiceTest {
    private Topics topics;

    @BeforeEach
    void setUp() {
        Http.awaitReady();
        topics = new Topics();
    }

    @AfterEach
    void tearDown() {
        topics.close();
    }

    /**
     * Three closed questions, all hits under the substring rule ("normal" contains ground truth "no"), and three open
     * ones with recall 1 ("left lung" / "left lung"), 1/2 ("the left kidney" / "right kidney": the article is
     * dropped, "kidney" is shared, "right" is missed) and 0: closed accuracy 100, open recall 50.
     */
    @Test
    void vqaRunIsScoredAggregatedAndReported() throws IOException {
        String run = "vqa-run";
        List<AnswerRecord> answers = List.of(
                Answers.vqa(run, "vqa-rad", "q1", "CLOSED", "yes", "Yes"),
                Answers.vqa(run, "vqa-rad", "q2", "CLOSED", "no", "no."),
                Answers.vqa(run, "vqa-rad", "q3", "CLOSED", "no", "normal"),
                Answers.vqa(run, "vqa-rad", "q4", "OPEN", "left lung", "left lung"),
                Answers.vqa(run, "vqa-rad", "q5", "OPEN", "right kidney", "the left kidney"),
                Answers.vqa(run, "vqa-rad", "q6", "OPEN", "liver", "brain"));
        // the options as the denoiser resolves them: this run decoded with the dual cache and a 0.9 threshold
        GenerationOptions options = GenerationOptions.newBuilder().setCache(CacheMode.CACHE_MODE_DUAL)
                .setThreshold(0.9).setRefreshEvery(0).build();
        answers.forEach(a -> topics.send(a.toBuilder().setOptions(options).build()));

        RunReport report = Http.awaitQuestions(run, 6);
        assertEquals(0, report.errors());
        assertEquals("dual+t0.9", report.mode());
        VqaSummary vqa = report.vqa().get("vqa-rad");
        assertEquals(3, vqa.closedN());
        assertEquals(100.0, vqa.closedAccuracy(), 1e-9);
        assertEquals(3, vqa.openN());
        assertEquals(50.0, vqa.openRecall(), 1e-9);
        assertEquals(50.0, vqa.openPrecision(), 1e-9); // 1, 1/2 ("left" is extra), 0
        assertNull(report.judge());
        assertEquals(6, report.statsOverall().answers());
        assertEquals(4.0, report.statsOverall().tokens(), 1e-9);
        assertEquals(8.0, report.statsOverall().steps(), 1e-9);

        RestAssured.get("/runs").then().statusCode(200)
                .body("find { it.run_id == 'vqa-run' }.questions", is(6));

        RestAssured.get("/runs/{run}/report.md", run).then().statusCode(200)
                .body(containsString("## Run vqa-run"))
                .body(containsString("| Run | VQA-RAD Open (recall) | VQA-RAD Closed (accuracy) |"))
                .body(containsString("| vqa-run | 50.00 | 100.00 | - | - | - | - |"))
                .body(containsString("Mode: `dual+t0.9`"))
                .body(containsString("| vqa-run | dual+t0.9 | VQA-RAD | 6 |"))
                .body(not(containsString("Settings:"))); // no settings label on these answers

        assertPng(chart(run, "accuracy.png"));
        assertPng(chart(run, "judge.png")); // a placeholder image: nothing was judged

        String jsonl = RestAssured.get("/runs/{run}/results.jsonl", run).then().statusCode(200).extract().asString();
        List<QuestionResult> lines = jsonl.lines().map(EvaluatorServiceTest::result).toList();
        assertEquals(List.of("q1", "q2", "q3", "q4", "q5", "q6"), lines.stream().map(QuestionResult::questionId).toList());
        assertEquals("dual+t0.9", lines.get(0).mode(), "each question's result names its mode");
        assertTrue(lines.get(2).vqa().hit(), "the substring rule counts 'normal' as a hit for 'no'");
        assertEquals(0.5, lines.get(4).vqa().recall(), 1e-9);

        List<Topics.Score> scores = Topics.scores(run);
        assertEquals(6, scores.size());
        assertEquals(Set.of("vqa-run/q1", "vqa-run/q2", "vqa-run/q3", "vqa-run/q4", "vqa-run/q5", "vqa-run/q6"),
                scores.stream().map(Topics.Score::key).collect(Collectors.toSet()));
        for (Topics.Score s : scores) {
            QuestionResult r = result(s.json());
            assertEquals(s.key(), r.runId() + "/" + r.questionId());
            assertEquals("vqa-rad", r.dataset());
            assertNotNull(r.vqa());
        }
    }

    /**
     * At-least-once delivery: the same answer (same request id) twice is recognised and not scored again; another
     * answer to the same question replaces the score, it is not counted again.
     */
    @Test
    void redeliveredAnswerIsCountedOnce() {
        String run = "redelivery-run";
        AnswerRecord q1 = Answers.vqa(run, "slake", "q1", "CLOSED", "yes", "yes");
        AnswerRecord q2 = Answers.vqa(run, "slake", "q2", "OPEN", "heart", "lung");
        topics.send(q1);
        topics.send(q2);
        RunReport before = Http.awaitQuestions(run, 2);

        double duplicates = duplicates();
        topics.send(q1);
        Http.await("the redelivered answer recognised", () -> duplicates() == duplicates + 1);
        assertEquals(2, Topics.scores(run).size(), "not scored again");
        topics.send(q1.toBuilder().setRequestId("redelivery-run-q1-asked-again").build());
        Http.await("the second answer's score", () -> Topics.scores(run).size() == 3);

        RunReport after = Http.report(run);
        assertEquals(2, after.questions());
        assertEquals(before.vqa(), after.vqa());
        assertEquals(100.0, after.vqa().get("slake").closedAccuracy(), 1e-9);
        assertEquals(1, after.vqa().get("slake").closedN());
        RestAssured.get("/runs").then().body("find { it.run_id == 'redelivery-run' }.questions",
                is(2));
        assertEquals(2, RestAssured.get("/runs/{run}/results.jsonl", run).asString().lines().count());
    }

    /**
     * Answers outside an evaluation (no run id or no question id) and records that are not AnswerRecords are skipped;
     * the answers after them on the same partition are still scored.
     */
    @Test
    void unlabelledAndUnreadableAnswersAreSkipped() {
        topics.send(0, "no-question-id",
                Answers.answer("no-question-id", "yes", Map.of(Labels.RUN_ID, "unlabelled-run")).toByteArray());
        topics.send(0, "no-run-id",
                Answers.answer("no-run-id", "yes", Map.of(Labels.QUESTION_ID, "q1")).toByteArray());
        topics.send(0, "garbage", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}); // wire type 7: not protobuf
        AnswerRecord after = Answers.vqa("after-skipped", "vqa-rad", "q1", "CLOSED", "yes", "yes");
        topics.send(0, after.getRequestId(), after.toByteArray());

        Http.awaitQuestions("after-skipped", 1);
        RestAssured.get("/runs/unlabelled-run/report").then().statusCode(404);
        RestAssured.get("/runs").then().body("run_id", not(hasItem("unlabelled-run")));
        assertTrue(Topics.scores("unlabelled-run").isEmpty());
        Http.awaitReady();
        String metrics = RestAssured.get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("medv_evaluator_unlabelled_total") && !l.endsWith(" 0.0")),
                "unlabelled counter: " + metrics.lines().filter(l -> l.contains("unlabelled")).toList());
    }

    /**
     * A labelled answer that cannot be scored is recorded with its error and counted, never dropped: a bad
     * answer_type, and a judge-scored answer while no judge is configured. The consumer goes on.
     */
    @Test
    void unscorableAnswersAreCountedWithAnError() {
        String run = "errors-run";
        topics.send(Answers.vqa(run, "vqa-rad", "q1", "MAYBE", "yes", "yes"));
        topics.send(Answers.qa50(run, "q2", "conversation", "chest_xray", "Consolidation of the right lower lobe."));
        topics.send(Answers.vqa(run, "vqa-rad", "q3", "CLOSED", "yes", "yes"));

        RunReport report = Http.awaitQuestions(run, 3);
        assertEquals(2, report.errors());
        assertEquals(Map.of("vqa-rad", 1, "qa50", 1), report.errorsByDataset());
        assertEquals(1, report.vqa().get("vqa-rad").closedN());
        assertEquals(100.0, report.vqa().get("vqa-rad").closedAccuracy(), 1e-9);
        assertNull(report.judge());

        Map<String, QuestionResult> byId = RestAssured.get("/runs/{run}/results.jsonl", run).asString().lines()
                .map(EvaluatorServiceTest::result).collect(Collectors.toMap(QuestionResult::questionId, r -> r));
        assertTrue(byId.get("q1").error().contains("MAYBE"), byId.get("q1").error());
        assertNull(byId.get("q1").vqa());
        assertTrue(byId.get("q2").error().contains("no judge configured"), byId.get("q2").error());
        assertNull(byId.get("q2").judge());
        assertNull(byId.get("q3").error());
        assertEquals(3, Topics.scores(run).size());
        RestAssured.get("/runs/{run}/report.md", run).then().body(containsString("Questions: 3, errors: 2"));
    }

    @Test
    void readyLiveAndUnknownRunIs404() {
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
        RestAssured.get("/q/health/live").then().statusCode(200).body("checks.name", hasItem("evaluator-loop"));
        for (String path : List.of("report", "report.md", "charts/accuracy.png", "charts/judge.png", "results.jsonl")) {
            RestAssured.get("/runs/no-such-run/" + path).then().statusCode(404);
        }
    }

    private static double duplicates() {
        return RestAssured.get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("medv_evaluator_duplicates_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static byte[] chart(String run, String name) {
        return RestAssured.get("/runs/{run}/charts/" + name, run).then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
    }

    static void assertPng(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "not a decodable image");
        assertEquals(960, image.getWidth());
        assertEquals(540, image.getHeight());
    }

    /** One {@code results.jsonl} line or {@code medv.scores} value. */
    static QuestionResult result(String json) {
        return ScoreCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
