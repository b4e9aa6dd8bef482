package org.medv.evaluator;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.medv.eval.report.RunReport;

import java.time.Duration;
import java.util.function.Predicate;

/** Polling the evaluator's REST API: scoring is asynchronous to the test's produce. */
final class Http {
    static final Duration WAIT = Duration.ofSeconds(60);

    private Http() {
    }

    /** Waits until the readiness check is UP, i.e. the scores topic has been read back into the store. */
    static void awaitReady() {
        await("readiness UP", () -> {
            Response r = RestAssured.get("/q/health/ready");
            return r.statusCode() == 200 && "UP".equals(r.jsonPath().getString("status"));
        });
    }

    /** The run's report once {@code until} holds for it (the run may not exist yet). */
    static RunReport awaitReport(String run, Predicate<RunReport> until) {
        RunReport[] last = new RunReport[1];
        await("report of " + run, () -> {
            Response r = RestAssured.get("/runs/{run}/report", run);
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = RunReport.fromJson(r.asString());
            return until.test(last[0]);
        });
        return last[0];
    }

    /** The run's report once it holds {@code questions} scored questions. */
    static RunReport awaitQuestions(String run, int questions) {
        return awaitReport(run, r -> r.questions() == questions);
    }

    static RunReport report(String run) {
        return RunReport.fromJson(RestAssured.get("/runs/{run}/report", run).then().statusCode(200)
                .extract().asString());
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(String what, Condition condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("waiting for " + what + ": " + e, e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
