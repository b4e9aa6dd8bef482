package org.medv.gateway;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness, gRPC health, metrics and the page. */
@QuarkusTest
class GatewayOpsTest extends GatewayTestBase {
    @Test
    void readinessIsUpWithTokenizerAndAssignment() {
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("medv-gateway"));
    }

    @Test
    void grpcHealthServesAndMetricsAreExposed() {
        var health = grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(grpc.health.v1.HealthOuterClass.HealthCheckRequest.getDefaultInstance());
        assertEquals(grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
        assistant().askOnce(ask(8, 8, 4).build());
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("medv_gateway_clients_active", "medv_gateway_events_relayed_total",
                "medv_gateway_drafts_dropped_total", "medv_gateway_first_event_seconds_count",
                "medv_gateway_final_event_seconds_count")) {
            assertTrue(metrics.contains(name), "metric " + name);
        }
    }

    @Test
    void pageHasTheControls() {
        String page = RestAssured.get("/").then().statusCode(200).extract().asString();
        for (String id : List.of("image", "question", "gen-length", "steps", "block-length", "ask", "status", "draft",
                "answer")) {
            assertTrue(page.contains("id=\"" + id + "\""), "page lacks id " + id);
        }
        assertFalse(page.contains("http://") || page.contains("https://"), "the page loads nothing external");
    }
}
