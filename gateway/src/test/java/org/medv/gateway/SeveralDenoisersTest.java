package org.medv.gateway;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two denoiser replicas behind the gateway ({@code medv.gateway.denoisers}), two real gRPC servers on loopback:
 * concurrent requests spread over both (fewest in flight first), each Cancel goes to the replica that took the
 * Start, a replica whose health is NOT_SERVING or that is unreachable takes nothing while the other serves, a full
 * replica hands the request to the other, and with none serving the gateway refuses at once.
 */
@QuarkusTest
@TestProfile(SeveralDenoisersTest.TwoDenoisers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralDenoisersTest extends GatewayTestBase {
    static final int SECOND_PORT = 9132;
    static final String FIRST = "denoiser localhost:9122";
    static final String SECOND = "denoiser localhost:" + SECOND_PORT;

    public static class TwoDenoisers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("medv.gateway.denoisers", "localhost:9122,localhost:" + SECOND_PORT);
        }
    }

    static FakeBackends second;

    @BeforeAll
    static void startSecond() {
        var config = ConfigProvider.getConfig();
        second = new FakeBackends(0, SECOND_PORT, config.getValue("kafka.bootstrap.servers", String.class),
                config.getValue("medv.topics.steps", String.class),
                Path.of(config.getValue("medv.model.dir", String.class)));
        awaitReplica(SECOND, s -> s.startsWith("serving"));
        awaitReplica(FIRST, s -> s.startsWith("serving"));
    }

    @AfterAll
    static void stopSecond() {
        second.close();
    }

    @Test
    @Order(1)
    void concurrentRequestsSpreadOverBothAndEachCancelGoesWhereItsStartWent() throws Exception {
        List<ClientCallStreamObserver<AskRequest>> calls = new ArrayList<>();
        List<CompletableFuture<Void>> ended = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<Void> end = new CompletableFuture<>();
            ended.add(end);
            CompletableFuture<ClientCallStreamObserver<AskRequest>> started = new CompletableFuture<>();
            AssistantGrpc.newStub(channel).ask(scripted("slow"), new ClientResponseObserver<AskRequest, AnswerEvent>() {
                private ClientCallStreamObserver<AskRequest> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<AskRequest> requestStream) {
                    call = requestStream;
                }

                @Override
                public void onNext(AnswerEvent e) {
                    started.complete(call); // the first draft: the request runs on a replica
                }

                @Override
                public void onError(Throwable t) {
                    started.completeExceptionally(t);
                    end.complete(null);
                }

                @Override
                public void onCompleted() {
                    end.complete(null);
                }
            });
            calls.add(started.get(30, TimeUnit.SECONDS));
        }
        // all four run at once (the slow script waits for Cancel): two each, the fewest-in-flight replica first
        assertEquals(2, backends.starts.size(), "starts on the first replica");
        assertEquals(2, second.starts.size(), "starts on the second replica");
        assertEquals("serving, 2 in flight", replicaState(FIRST));
        assertEquals("serving, 2 in flight", replicaState(SECOND));

        calls.forEach(c -> c.cancel("the user closed the tab", null));
        for (FakeBackends b : List.of(backends, second)) {
            for (StartRequest s : List.copyOf(b.starts)) {
                b.cancelOf(s.getRequestId()).get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(ids(backends.starts), Set.copyOf(backends.cancels), "Cancel reached the replica of the Start");
        assertEquals(ids(second.starts), Set.copyOf(second.cancels), "Cancel reached the replica of the Start");
        awaitReplica(FIRST, "serving, 0 in flight"::equals);
        awaitReplica(SECOND, "serving, 0 in flight"::equals);
    }

    @Test
    @Order(2)
    void aReplicaThatIsNotServingTakesNothingWhileTheOtherServes() {
        second.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        awaitReplica(SECOND, s -> s.contains("NOT_SERVING"));
        int before = second.starts.size();
        for (int i = 0; i < 3; i++) {
            assertEquals(FinishReason.FINISH_REASON_STOP, assistant().askOnce(scripted("default")).getFinishReason());
        }
        assertEquals(before, second.starts.size(), "starts on the NOT_SERVING replica");
        second.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.SERVING);
        awaitReplica(SECOND, s -> s.startsWith("serving"));
    }

    @Test
    @Order(3)
    void aFullReplicaHandsTheRequestToTheOtherAndBothFullIsResourceExhausted() {
        backends.full = true;
        int before = second.starts.size();
        for (int i = 0; i < 2; i++) {
            assertEquals(FinishReason.FINISH_REASON_STOP, assistant().askOnce(scripted("default")).getFinishReason());
        }
        assertEquals(before + 2, second.starts.size(), "the other replica took both");
        second.full = true;
        int refusedFirst = backends.refusals.get();
        int refusedSecond = second.refusals.get();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> assistant().askOnce(scripted("default")));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals(refusedFirst + 1, backends.refusals.get(), "each replica asked once");
        assertEquals(refusedSecond + 1, second.refusals.get(), "each replica asked once");
        backends.full = false;
        second.full = false;
    }

    @Test
    @Order(4)
    void withNoReplicaServingTheGatewayRefusesAtOnceNamingBoth() {
        backends.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        second.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        awaitReplica(FIRST, s -> s.contains("NOT_SERVING"));
        awaitReplica(SECOND, s -> s.contains("NOT_SERVING"));
        assertEquals(503, RestAssured.get("/q/health/ready").statusCode());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> assistant().askOnce(scripted("default")));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("no denoiser replica is serving: " + FIRST
                + " is not serving (NOT_SERVING), " + SECOND + " is not serving (NOT_SERVING)"),
                e.getStatus().getDescription());
        backends.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.SERVING);
        second.denoiserHealth.set(DenoiserGrpc.SERVICE_NAME, ServingStatus.SERVING);
        awaitReady();
    }

    @Test
    @Order(5)
    void anUnreachableReplicaIsSkippedAndTheGatewayStaysReady() {
        second.close();
        awaitReplica(SECOND, s -> s.contains("is unreachable"));
        assertEquals(200, RestAssured.get("/q/health/ready").statusCode());
        int before = backends.starts.size();
        for (int i = 0; i < 3; i++) {
            assertEquals(FinishReason.FINISH_REASON_STOP, assistant().askOnce(scripted("default")).getFinishReason());
        }
        assertEquals(before + 3, backends.starts.size(), "the reachable replica took every request");
    }

    private static AskRequest scripted(String script) {
        return ask(8, 8, 4).setMetadata(ClientMetadata.newBuilder().putLabels("script", script)).build();
    }

    private static Set<String> ids(List<StartRequest> starts) {
        synchronized (starts) {
            return starts.stream().map(StartRequest::getRequestId).collect(Collectors.toSet());
        }
    }

    /** The replica's state in the readiness data ({@code serving, N in flight} or its problem). */
    private static String replicaState(String replica) {
        JsonPath health = RestAssured.get("/q/health/ready").jsonPath();
        return health.getString("checks.find { it.name == 'medv-gateway' }.data.'" + replica + "'");
    }

    private static void awaitReplica(String replica, Predicate<String> state) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String now = replicaState(replica);
        while (now == null || !state.test(now)) {
            assertTrue(System.nanoTime() < until, replica + " is still '" + now + "'");
            sleep(50);
            now = replicaState(replica);
        }
    }
}
