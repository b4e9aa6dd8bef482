package org.medv.evaluator;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.medv.eval.report.RunReport;

import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A restarted evaluator serves the runs of {@code medv.scores} as soon as it is ready, and goes on adding to them. */
@QuarkusTest
@TestProfile(RebuildProfile.class)
class RebuildTest {

    @Test
    void runsAreRebuiltFromTheScoresTopicBeforeReadiness() {
        Http.awaitReady();
        // no waiting from here on: readiness means the rebuild is complete
        RestAssured.get("/runs").then().statusCode(200)
                .body("find { it.run_id == 'old-run' }.questions", is(2))
                .body("run_id", not(hasItem("corrupt")));
        RunReport report = Http.report(ScoresTopicResource.RUN);
        assertEquals(2, report.questions());
        assertEquals(2, report.vqa().get("vqa-rad").closedN());
        assertEquals(50.0, report.vqa().get("vqa-rad").closedAccuracy(), 1e-9); // q1 rewritten as a hit, q2 a miss

        try (Topics topics = new Topics()) {
            topics.send(Answers.vqa(ScoresTopicResource.RUN, "vqa-rad", "q4", "CLOSED", "yes", "yes"));
        }
        RunReport grown = Http.awaitQuestions(ScoresTopicResource.RUN, 3);
        assertEquals(100.0 * 2 / 3, grown.vqa().get("vqa-rad").closedAccuracy(), 1e-9);
    }
}
