package org.medv.e2e;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Remasking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancellation by disconnect, a full queue, and bad input on every entry point; the stack keeps serving. */
class FailureModesE2ETest {
    private static ManagedChannel g0;

    @BeforeAll
    static void stack() {
        Stack.get();
        g0 = Clients.channel(0);
    }

    @AfterAll
    static void close() {
        g0.shutdownNow();
    }

    /**
     * The client goes away after its first draft while the denoiser provably still runs the request: it carries
     * {@link Stack#HOLD_LABEL}, so the denoiser holds it after step 1 until a cancel comes. No race against the
     * denoiser's speed: the answer record says CANCELLED after exactly one step, and the client saw step 1 only.
     */
    @Test
    void disconnectCancelsTheGeneration() throws Exception {
        AtomicReference<String> requestId = new AtomicReference<>();
        CountDownLatch firstDraft = new CountDownLatch(1);
        List<AnswerEvent> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<ClientCallStreamObserver<AskRequest>> call = new AtomicReference<>();
        AskRequest ask = Clients.request(Clients.png(64, 64, 5), "Describe the image.", 256, 256, 256);
        ask = ask.toBuilder().setOptions(ask.getOptions().toBuilder().setNoStop(true))
                .setMetadata(ClientMetadata.newBuilder().putLabels(Stack.HOLD_LABEL, "cancel-test")).build();
        AssistantGrpc.newStub(g0).ask(ask,
                new ClientResponseObserver<AskRequest, AnswerEvent>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<AskRequest> requestStream) {
                        call.set(requestStream);
                    }

                    @Override
                    public void onNext(AnswerEvent e) {
                        seen.add(e);
                        requestId.compareAndSet(null, e.getRequestId());
                        firstDraft.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                        firstDraft.countDown();
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        assertTrue(firstDraft.await(60, TimeUnit.SECONDS), "a first draft arrives");
        assertEquals(List.of(1), seen.stream().map(AnswerEvent::getStep).toList(), "the client saw step 1");
        assertFalse(seen.get(0).getFinal());
        call.get().cancel("client went away", null);
        AnswerRecord record = Clients.awaitAnswer(requestId.get(), Duration.ofSeconds(60));
        assertEquals(FinishReason.FINISH_REASON_CANCELLED, record.getFinishReason());
        assertEquals(1, record.getTimings().getSteps(), "cancelled while held after step 1");
        assertServing();
    }

    @Test
    void aFullQueueAnswersResourceExhaustedAtOnce() throws Exception {
        List<CompletableFuture<Status.Code>> calls = new ArrayList<>();
        for (int i = 0; i < Stack.QUEUE + 4; i++) {
            int seed = i;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    AssistantGrpc.newBlockingStub(g0).askOnce(Clients.request(Clients.png(40, 40, seed),
                            "Describe the image.", 128, 128, 128));
                    return Status.Code.OK;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode();
                }
            }));
        }
        List<Status.Code> codes = new ArrayList<>();
        for (CompletableFuture<Status.Code> c : calls) {
            codes.add(c.get(180, TimeUnit.SECONDS));
        }
        assertTrue(codes.contains(Status.Code.RESOURCE_EXHAUSTED), codes.toString());
        assertTrue(codes.contains(Status.Code.OK), codes.toString());
        assertServing();
    }

    @Test
    void badInputIsInvalidArgumentOnGrpcAndBadRequestOnHttp() {
        byte[] png = Clients.png(32, 32, 6);
        byte[] huge = new byte[Stack.MAX_IMAGE_BYTES + 1];
        System.arraycopy(png, 0, huge, 0, png.length);
        expectInvalid("image", req(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}, o -> o));
        expectInvalid("image", req(huge, o -> o));
        expectInvalid("block_length", req(png, o -> o.setGenLength(20).setBlockLength(8).setSteps(8)));
        expectInvalid("steps", req(png, o -> o.setGenLength(16).setBlockLength(8).setSteps(7)));
        expectInvalid("gen_length", req(png, o -> o.setGenLength(4096).setBlockLength(4096).setSteps(4096)));
        expectInvalid("remasking", req(png, o -> o.setRemaskingValue(7)));
        expectInvalid("question", AskRequest.newBuilder().setImage(ByteString.copyFrom(png)).build());

        for (Map.Entry<String, Map<String, String>> bad : Map.of(
                "block_length", Map.of("question", "q", "gen_length", "20", "block_length", "8", "steps", "8"),
                "steps", Map.of("question", "q", "gen_length", "16", "block_length", "8", "steps", "7"),
                "remasking", Map.of("question", "q", "remasking", "sometimes"),
                "question", Map.of("gen_length", "8")).entrySet()) {
            Clients.HttpAnswer r = Clients.postMultipart(0, png, bad.getValue());
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains(bad.getKey()), r.body());
        }
        Clients.HttpAnswer corrupt = Clients.postMultipart(0, new byte[] {1, 2, 3}, Map.of("question", "q"));
        assertEquals(400, corrupt.status(), corrupt.body());
        assertServing();
    }

    private static AskRequest req(byte[] image, java.util.function.UnaryOperator<GenerationOptions.Builder> o) {
        return AskRequest.newBuilder().setQuestion("Is there a lesion?").setImage(ByteString.copyFrom(image))
                .setOptions(o.apply(GenerationOptions.newBuilder().setGenLength(8).setBlockLength(8).setSteps(8)
                        .setRemasking(Remasking.REMASKING_LOW_CONFIDENCE))).build();
    }

    private static void expectInvalid(String field, AskRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> Clients.ask(g0, request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        assertTrue(e.getStatus().getDescription().contains(field), e.getStatus().getDescription());
    }

    private static void assertServing() {
        AnswerEvent e = AssistantGrpc.newBlockingStub(g0).askOnce(Clients.request(Clients.png(32, 32, 9),
                "Is there a lesion?", 8, 8, 8));
        assertTrue(e.getFinal());
        assertTrue(e.getError().getMessage().isEmpty(), e.getError().getMessage());
    }
}
