package org.medv.evaluator;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.medv.eval.JudgeScore;
import org.medv.eval.QuestionResult;
import org.medv.eval.report.JudgeMean;
import org.medv.eval.report.RunReport;
import org.medv.testkit.KafkaTestResource;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conversation-benchmark answers reviewed by a fake OpenAI-compatible judge ({@link FakeJudgeResource}). */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FakeJudgeResource.class, restrictToAnnotatedClass = true)
class JudgeTest {

    /**
     * j1 is judged "8 6" (relative 6 / 8 = 75 %); j2 gets a malformed reply on both attempts (max-retries 1) and is
     * counted with an error but left out of the judge's means.
     */
    @Test
    void judgedAnswersAndAFailedReview() throws IOException {
        Http.awaitReady();
        String run = "qa50-run";
        try (Topics topics = new Topics()) {
            topics.send(Answers.qa50(run, "j1", "conversation", "chest_xray", "There is a consolidation."));
            topics.send(Answers.qa50(run, "j2", "detailed_description", "ct_scan",
                    FakeJudgeResource.MALFORMED + " the judge cannot score this"));
        }

        RunReport report = Http.awaitQuestions(run, 2);
        assertEquals(1, report.errors());
        assertEquals(Map.of("qa50", 1), report.errorsByDataset());
        JudgeMean all = report.judge().all();
        assertEquals(1, all.n());
        assertEquals(8.0, all.reference(), 1e-9);
        assertEquals(6.0, all.candidate(), 1e-9);
        assertEquals(75.0, all.relative(), 1e-9);
        assertEquals(75.0, report.judge().byType().get("conversation").relative(), 1e-9);
        assertEquals(75.0, report.judge().byDomain().get("chest_xray").relative(), 1e-9);
        assertNull(report.judge().byDomain().get("ct_scan"), "the failed review has no score to group");
        assertTrue(report.vqa().isEmpty());

        Map<String, QuestionResult> byId = RestAssured.get("/runs/{run}/results.jsonl", run).asString().lines()
                .map(EvaluatorServiceTest::result).collect(Collectors.toMap(QuestionResult::questionId, r -> r));
        QuestionResult j1 = byId.get("j1");
        assertEquals(new JudgeScore(8, 6), j1.judge());
        assertEquals("conversation", j1.judgeType());
        assertEquals("chest_xray", j1.domain());
        assertEquals("The chest X-ray shows a right lower lobe consolidation.", j1.groundTruth());
        assertNull(j1.error());
        QuestionResult j2 = byId.get("j2");
        assertNull(j2.judge());
        assertTrue(j2.error().startsWith("judge: ") && j2.error().contains("after 2 attempts")
                && j2.error().contains("malformed judge reply"), j2.error());
        assertEquals(2, Topics.scores(run).size());

        RestAssured.get("/runs/{run}/report.md", run).then().statusCode(200)
                .body(containsString("### Conversation benchmark (relative score, %)"))
                .body(containsString("| qa50-run | 75.00 | - | 75.00 | - | - | - | - | 75.00 |"))
                .body(containsString("Questions: 2, errors: 1, qa50: 1"));
        EvaluatorServiceTest.assertPng(RestAssured.get("/runs/{run}/charts/judge.png", run).then().statusCode(200)
                .extract().asByteArray());
    }
}
