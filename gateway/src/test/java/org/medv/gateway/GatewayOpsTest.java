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
        // the request duration as a histogram (p99 computable): the +Inf bucket holds the request asked above
        for (String timer : List.of("medv_gateway_final_event_seconds", "medv_gateway_first_event_seconds")) {
            assertTrue(java.util.regex.Pattern.compile(timer + "_bucket\\{[^}]*le=\"\\+Inf\"[^}]*\\} [1-9]")
                    .matcher(metrics).find(), timer + " histogram in " + metrics);
        }
    }

    @Test
    void reflectionIsOffOnThePublicPort() throws Exception {
        var reply = new java.util.concurrent.CompletableFuture<Throwable>();
        var requests = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                        reply.complete(null);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.complete(null);
                    }
                });
        requests.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
        Throwable error = reply.get(10, TimeUnit.SECONDS);
        requests.onCompleted();
        assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, io.grpc.Status.fromThrowable(error).getCode());
    }

    @Test
    void pageHasTheControlsAndLoadsNothingExternal() {
        String page = RestAssured.get("/").then().statusCode(200).extract().asString();
        for (String id : List.of("examples", "image", "drop", "preview", "question", "suggestions", "advanced",
                "gen-length", "block-length", "steps", "temperature", "seed", "cfg-scale", "remasking", "cache", "threshold", "refresh-every", "stop",
                "no-stop", "ask", "cancel", "status", "progress", "draft", "answer", "timings", "draft-log",
                "history")) {
            assertTrue(page.contains("id=\"" + id + "\""), "page lacks id " + id);
        }
        assertTrue(page.contains("aria-live=\"polite\""), "live regions");
        for (String file : List.of("/", "/app.css", "/page.js", "/stream.js", "/draft.js", "/options.js",
                "/image.js", "/history.js")) {
            String text = RestAssured.get(file).then().statusCode(200).extract().asString();
            assertFalse(text.contains("http://") || text.contains("https://") || text.contains("//cdn"),
                    file + " loads nothing external");
        }
    }
}
