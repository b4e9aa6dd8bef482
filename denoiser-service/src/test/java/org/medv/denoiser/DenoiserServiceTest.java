package org.medv.denoiser;

import org.medv.testkit.DemoModelTestResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medv.model.MedvModel;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepListener;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.StartRequest;
import org.medv.serving.ProtoOptions;
import org.medv.serving.Statuses;
import org.medv.testkit.KafkaTestResource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The denoiser end to end: real gRPC client, real in-process broker, the demo model. */
@QuarkusTest
@TestProfile(OneAtATimeProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DemoModelTestResource.class)
class DenoiserServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static MedvModel model;
    private Harness harness;

    @BeforeEach
    void setUp() throws InterruptedException {
        Harness.awaitReady();
        if (model == null) {
            model = Harness.loadModel();
        }
        harness = new Harness();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        harness.close();
    }

    @AfterAll
    static void closeModel() {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    @Test
    void stepsThenOneFinalAndOneAnswerEqualToInProcessGeneration() {
        byte[] png = Harness.png();
        GenerationOptions o = Requests.options(32, 16, 32, false);
        StartRequest request = Requests.withImage(model, png, o).build();
        GenerationResult expected = model.generate(Requests.imagePrompt(model), List.of(png),
                ProtoOptions.toModel(o, model.generationDefaults(), model.tokenizer()),
                StepListener.NONE);

        harness.stub.start(request);
        Harness.Published p = Harness.collect(request.getRequestId(), WAIT);

        assertEquals(1, p.finals().size(), "exactly one final event");
        assertEquals(1, p.answers().size(), "exactly one answer record");
        assertEquals(expected.stepsRun(), p.steps().size(), "stride 1 publishes every step");
        int mask = model.tokens().mask();
        long previousMasks = Long.MAX_VALUE;
        for (int i = 0; i < p.steps().size(); i++) {
            DenoiseEvent e = p.steps().get(i);
            assertEquals(i + 1, e.getStep(), "steps in order, 1-based");
            assertEquals(32, e.getTotalSteps());
            assertEquals(32, e.getIdsCount());
            assertEquals(mask, e.getMaskId());
            assertEquals("gw-test", e.getGatewayId());
            assertEquals(e.getCommittedPositionsCount(), e.getConfidencesCount());
            long masks = e.getIdsList().stream().filter(id -> id == mask).count();
            assertTrue(masks <= previousMasks, "masks only ever get committed");
            previousMasks = masks;
        }
        assertTrue(p.steps().get(0).getIdsList().contains(mask), "the first draft is still mostly masked");
        assertTrue(p.steps().get(0).getBlock() == 0 && p.steps().get(p.steps().size() - 1).getBlock() == 1);

        DenoiseEvent last = p.last();
        assertArrayEquals(expected.outputIds(), ints(last.getOutputIdsList()));
        assertEquals(model.decode(expected.outputIds()), last.getText());
        assertEquals(expected.finishReason().name(), last.getFinishReason().name().replace("FINISH_REASON_", ""));
        assertEquals(expected.stepsRun(), last.getTimings().getSteps());
        assertFalse(last.hasError());

        AnswerRecord a = p.answers().get(0);
        assertEquals(request.getRequestId(), a.getRequestId());
        assertEquals(Map.of("run_id", "run-7", "question_id", "q-42"), a.getMetadata().getLabelsMap());
        assertEquals("corr-1", a.getMetadata().getCorrelationId());
        assertArrayEquals(expected.outputIds(), ints(a.getOutputIdsList()));
        assertEquals(last.getText(), a.getText());
        assertEquals(last.getFinishReason(), a.getFinishReason());
        assertEquals(32, a.getOptions().getGenLength());
        assertEquals(16, a.getOptions().getBlockLength());
        int rows = request.getImages(0).getRows();
        assertEquals(request.getPromptIdsCount() - 1 + rows, a.getPromptLength());
        assertTrue(a.getFinishedUnixMs() > 0 && a.getTimings().getTotalMs() >= a.getTimings().getGenerateMs());
    }

    @Test
    void strideOnePublishesGenLengthStepsWhenStepsEqualGenLength() {
        StartRequest request = Requests.textOnly(model, Requests.options(16, 16, 16, true)).build();
        harness.stub.start(request);
        Harness.Published p = Harness.collect(request.getRequestId(), WAIT);
        assertEquals(16, p.steps().size());
        assertEquals(FinishReason.FINISH_REASON_LENGTH, p.last().getFinishReason());
        assertEquals(16, p.last().getTimings().getSteps());
        assertFalse(p.last().getOutputIdsList().contains(model.tokens().mask()));
    }

    @Test
    void cancellingARunningRequestEndsItWithinAFewSteps() {
        StartRequest request = Requests.withImage(model, Harness.png(), Requests.options(64, 64, 64, true)).build();
        boolean found;
        try (Harness.StepWatcher watcher = new Harness.StepWatcher()) {
            harness.stub.start(request);
            watcher.awaitFirstStep(request.getRequestId(), WAIT);
            found = harness.stub.cancel(CancelRequest.newBuilder().setRequestId(request.getRequestId()).build())
                    .getFound();
        }
        Harness.Published p = Harness.collect(request.getRequestId(), WAIT);
        assertTrue(found);
        assertEquals(1, p.finals().size());
        assertEquals(1, p.answers().size());
        assertEquals(FinishReason.FINISH_REASON_CANCELLED, p.last().getFinishReason());
        assertTrue(p.last().getTimings().getSteps() < 64, "stopped early: " + p.last().getTimings().getSteps());
        assertEquals(FinishReason.FINISH_REASON_CANCELLED, p.answers().get(0).getFinishReason());
        assertFalse(harness.stub.cancel(CancelRequest.newBuilder().setRequestId(request.getRequestId()).build())
                .getFound(), "a finished request is no longer found");
    }

    @Test
    void cancellingAQueuedRequestFinishesItWithoutRunning() {
        StartRequest blocker = Requests.textOnly(model, Requests.options(512, 512, 512, true)).build();
        StartRequest queued = Requests.textOnly(model, Requests.options(16, 16, 16, true)).build();
        try (Harness.StepWatcher watcher = new Harness.StepWatcher()) {
            harness.stub.start(blocker);
            watcher.awaitFirstStep(blocker.getRequestId(), WAIT);
        }
        assertEquals(0, harness.stub.start(queued).getQueuePosition());
        assertTrue(harness.stub.cancel(CancelRequest.newBuilder().setRequestId(queued.getRequestId()).build())
                .getFound());
        Harness.Published q = Harness.collect(queued.getRequestId(), WAIT);
        harness.stub.cancel(CancelRequest.newBuilder().setRequestId(blocker.getRequestId()).build());
        Harness.Published b = Harness.collect(blocker.getRequestId(), WAIT);

        assertEquals(FinishReason.FINISH_REASON_CANCELLED, q.last().getFinishReason());
        assertEquals(0, q.last().getTimings().getSteps());
        assertTrue(q.steps().isEmpty());
        assertEquals(1, q.answers().size());
        assertEquals(FinishReason.FINISH_REASON_CANCELLED, b.last().getFinishReason());
    }

    @Test
    void aDeadlineInThePastEndsWithDeadline() {
        StartRequest request = Requests.textOnly(model, Requests.options(16, 16, 16, true))
                .setDeadlineUnixMs(System.currentTimeMillis() - 1000).build();
        harness.stub.start(request);
        Harness.Published p = Harness.collect(request.getRequestId(), WAIT);
        assertEquals(FinishReason.FINISH_REASON_DEADLINE, p.last().getFinishReason());
        assertEquals(0, p.last().getTimings().getSteps());
        assertEquals(FinishReason.FINISH_REASON_DEADLINE, p.answers().get(0).getFinishReason());
    }

    @Test
    void invalidRequestsAreRefusedNamingTheField() {
        byte[] png = Harness.png();
        assertInvalid(Requests.withImage(model, png, Requests.options(20, 8, 20, false)).build(), "block_length",
                "8");
        assertInvalid(Requests.withImage(model, png, Requests.options(16, 8, 3, false)).build(), "steps", "3");
        int max = model.config().llm().maxPositionEmbeddings();
        assertInvalid(Requests.withImage(model, png, Requests.options(max, max, 1, false)).build(), "gen_length",
                "the model's " + max + " positions");
        assertInvalid(Requests.textOnly(model, Requests.options(16, 16, 16, false))
                .addPromptIds(-200).build(), "images", "placeholder");
        assertInvalid(Requests.textOnly(model, Requests.options(16, 16, 16, false))
                .addPromptIds(model.config().llm().vocabSize()).build(), "prompt_ids", "vocabulary");
        Embeddings good = Requests.embeddings(model, png);
        assertInvalid(Requests.withImage(model, png, Requests.options(16, 16, 16, false)).setImages(0,
                good.toBuilder().setRows(good.getRows() + 1)).build(), "images", "bytes");
    }

    @Test
    void aDuplicateRequestIdIsRefused() {
        StartRequest request = Requests.textOnly(model, Requests.options(16, 16, 16, true)).build();
        harness.stub.start(request);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> harness.stub.start(request));
        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        Harness.collect(request.getRequestId(), WAIT);
        e = assertThrows(StatusRuntimeException.class, () -> harness.stub.start(request));
        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode(), "also after it finished");
    }

    @Test
    void readyAndMetered() {
        StartRequest request = Requests.textOnly(model, Requests.options(8, 8, 8, true)).build();
        harness.stub.start(request);
        Harness.collect(request.getRequestId(), WAIT);
        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"status\": \"UP\""), containsString("denoiser-engine"));
        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("medv_denoiser_queue_depth"),
                        containsString("medv_denoiser_steps_total"),
                        containsString("medv_denoiser_first_step_seconds_count"),
                        containsString("medv_denoiser_answer_seconds_count"),
                        // histograms, so that p99 is computable: buckets up to +Inf holding every observation
                        observedHistogram("medv_denoiser_step_seconds"),
                        observedHistogram("medv_denoiser_queue_wait_seconds"),
                        containsString("medv_denoiser_first_step_seconds_bucket{"),
                        containsString("medv_denoiser_answer_seconds_bucket{"),
                        containsString("medv_denoiser_requests_total{finish_reason=\"length\""));
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(harness.channel)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "gRPC health service");
        // NOT_SERVING from startup until the model is loaded (EngineProducer), SERVING once it answers Start
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(harness.channel)
                .check(HealthCheckRequest.newBuilder().setService(org.medv.proto.v1.DenoiserGrpc.SERVICE_NAME)
                        .build()).getStatus(), "gRPC health of medv.v1.Denoiser");
    }

    @Test
    void reflectionListsTheDenoiser() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(harness.channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        services.complete(r.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        assertTrue(services.get(10, TimeUnit.SECONDS).contains("medv.v1.Denoiser"), services.get().toString());
        requests.onCompleted();
    }

    private void assertInvalid(StartRequest request, String field, String detail) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> harness.stub.start(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        assertTrue(description.contains(field) && description.contains(detail), description);
        assertEquals(field, e.getTrailers().get(Statuses.FIELD));
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A Prometheus histogram whose +Inf bucket counts at least one observation. */
    private static org.hamcrest.Matcher<String> observedHistogram(String name) {
        return matchesPattern("(?s).*" + name + "_bucket\\{[^}]*le=\"\\+Inf\"[^}]*\\} [1-9].*");
    }
}
