package org.medv.vision;

import org.medv.model.DemoModel;
import org.medv.testkit.DemoModelTestResource;
import com.google.protobuf.ByteString;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.ImageEmbedding;
import org.medv.model.LoadOptions;
import org.medv.model.VisionSide;
import org.medv.proto.v1.DType;
import org.medv.proto.v1.EncodeReply;
import org.medv.proto.v1.EncodeRequest;
import org.medv.proto.v1.VisionGrpc;
import org.medv.serving.EmbeddingCodec;
import org.medv.serving.Statuses;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real gRPC server on the test port, called through a plain grpc-java channel, with the demo model loaded. */
@QuarkusTest
@WithTestResource(DemoModelTestResource.class)
class VisionServiceTest {
    private static ManagedChannel channel;
    private static VisionGrpc.VisionBlockingStub vision;

    @ConfigProperty(name = "medv.model.dir")
    Path modelDir;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("localhost", 9111).usePlaintext().build();
        vision = VisionGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void encodesAsTheModelDoesAndCachesByDigest() {
        byte[] png = TestImages.png(40, 30, 1);
        EncodeReply first = encode(png);
        assertFalse(first.getCached());
        assertEquals(16, first.getEmbeddings().getRows());
        assertEquals(DemoModel.HIDDEN, first.getEmbeddings().getCols());
        assertEquals(DType.DTYPE_FLOAT32, first.getEmbeddings().getDtype());
        assertEquals(16 * DemoModel.HIDDEN * 4, first.getEmbeddings().getData().size());
        assertEquals(VisionEngine.sha256(png), first.getEmbeddings().getImageDigest());
        assertEquals(64, first.getEmbeddings().getImageDigest().length());

        EncodeReply second = encode(png);
        assertTrue(second.getCached());
        assertEquals(first.getEmbeddings(), second.getEmbeddings());

        try (VisionSide model = VisionSide.load(LoadOptions.of(modelDir, null))) {
            ImageEmbedding expected = model.encodeImage(png);
            ImageEmbedding served = EmbeddingCodec.decode(first.getEmbeddings());
            assertEquals(expected.rows(), served.rows());
            assertEquals(expected.cols(), served.cols());
            assertArrayEquals(expected.data(), served.data(), "the served rows are the model's rows, bit for bit");
        }
    }

    @Test
    void concurrentRequestsForOneImageEncodeItOnce() throws Exception {
        byte[] png = TestImages.png(56, 56, 2);
        VisionGrpc.VisionFutureStub async = VisionGrpc.newFutureStub(channel);
        List<com.google.common.util.concurrent.ListenableFuture<EncodeReply>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(async.encode(request(png)));
        }
        int encoded = 0;
        for (var reply : replies) {
            encoded += reply.get(60, TimeUnit.SECONDS).getCached() ? 0 : 1;
        }
        assertEquals(1, encoded);
    }

    @Test
    void emptyImageIsInvalidArgumentNamingTheLimit() {
        StatusRuntimeException e = refused(new byte[0]);
        assertTrue(e.getStatus().getDescription().startsWith("invalid image: image is empty"), describe(e));
        assertTrue(e.getStatus().getDescription().contains("20971520 bytes (medv.vision.max-image-bytes)"),
                describe(e));
        assertEquals("image", e.getTrailers().get(Statuses.FIELD));
        stillServes(3);
    }

    @Test
    void oversizedImageIsInvalidArgumentNamingTheLimit() {
        StatusRuntimeException e = refused(new byte[20 * 1024 * 1024 + 1]);
        assertEquals("invalid image: image is 20971521 bytes, more than the limit of 20971520 bytes"
                + " (medv.vision.max-image-bytes)", e.getStatus().getDescription());
        stillServes(4);
    }

    @Test
    void corruptImageIsInvalidArgument() {
        StatusRuntimeException e = refused(TestImages.corruptPng());
        assertTrue(e.getStatus().getDescription().startsWith("invalid image: "), describe(e));
        assertEquals("image", e.getTrailers().get(Statuses.FIELD));
        stillServes(5);
    }

    @Test
    void tooManyPixelsIsInvalidArgumentNamingTheLimit() {
        StatusRuntimeException e = refused(TestImages.pngHeader(10_000, 10_000));
        assertTrue(e.getStatus().getDescription().contains("100000000 pixels, more than the limit of 89478485"),
                describe(e));
        stillServes(6);
    }

    @Test
    void readyAndLiveOnceTheModelIsLoaded() {
        awaitReady();
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("vision model"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void grpcHealthIsServing() {
        awaitReady();
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        for (String service : List.of("", VisionGrpc.SERVICE_NAME)) {
            assertEquals(ServingStatus.SERVING,
                    health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(), service);
        }
    }

    @Test
    void reflectionListsTheVisionService() throws InterruptedException {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        answer.complete(response);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> services = answer.orTimeout(10, TimeUnit.SECONDS).join().getListServicesResponse()
                .getServiceList().stream().map(s -> s.getName()).toList();
        requests.onCompleted();
        assertTrue(services.contains(VisionGrpc.SERVICE_NAME), services.toString());
    }

    @Test
    void metricsAreExported() {
        encode(TestImages.png(20, 20, 7));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("medv_vision_encodes_total", "medv_vision_encode_latency_seconds_count",
                "medv_vision_cache_hits_total", "medv_vision_cache_misses_total",
                "medv_vision_rejected_total{reason=\"too_large\"}", "medv_vision_queue_depth",
                "medv_vision_cache_entries")) {
            assertTrue(metrics.contains(name), name);
        }
    }

    private static EncodeReply encode(byte[] image) {
        return vision.withDeadlineAfter(60, TimeUnit.SECONDS).encode(request(image));
    }

    private static EncodeRequest request(byte[] image) {
        return EncodeRequest.newBuilder().setImage(ByteString.copyFrom(image)).build();
    }

    private static StatusRuntimeException refused(byte[] image) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> encode(image));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), describe(e));
        return e;
    }

    /** The service keeps serving after bad input. */
    private static void stillServes(long seed) {
        EncodeReply reply = encode(TestImages.png(32, 32, seed));
        assertEquals(16, reply.getEmbeddings().getRows());
    }

    private static String describe(StatusRuntimeException e) {
        return e.getStatus().toString();
    }

    private static void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (given().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
