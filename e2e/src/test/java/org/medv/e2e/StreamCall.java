package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One AskStream call seen from its client: its first draft, and how it ended (the final event; a gRPC status
 * completes {@link #status} instead). The fault tests count accepted requests and terminal statuses with it.
 */
final class StreamCall implements StreamObserver<AnswerEvent> {
    /** The longest any of these calls may take (its deadline). */
    static final int DEADLINE_S = 180;

    final CompletableFuture<Void> firstDraft = new CompletableFuture<>();
    /** The final event, or failed with the gRPC status. */
    private final CompletableFuture<AnswerEvent> end = new CompletableFuture<>();
    /** Completed with the gRPC status of a call that ended without a final event, or OK after one. */
    final CompletableFuture<Status> status = new CompletableFuture<>();
    private volatile String requestId;
    volatile long endedAt;

    /**
     * {@code n} AskStream calls at once (a small PNG each, the lesion question), each of {@code length} positions in
     * as many steps, without early stop, so that each runs its whole length.
     */
    static List<StreamCall> askAll(ManagedChannel channel, int n, int length) {
        List<StreamCall> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AskRequest r = Clients.request(Clients.png(32, 32, 40 + i), "Which side are the lesions on?", length,
                    length, length);
            r = r.toBuilder().setOptions(r.getOptions().toBuilder().setNoStop(true)).build();
            StreamCall c = new StreamCall();
            AssistantGrpc.newStub(channel).withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS).ask(r, c);
            calls.add(c);
        }
        return calls;
    }

    CompletableFuture<AnswerEvent> end() {
        return end;
    }

    /** Known from the first event on. */
    String requestId() {
        return requestId;
    }

    @Override
    public void onNext(AnswerEvent e) {
        requestId = e.getRequestId();
        if (e.getFinal()) {
            endedAt = System.nanoTime();
            end.complete(e);
        } else {
            firstDraft.complete(null);
        }
    }

    @Override
    public void onError(Throwable t) {
        endedAt = System.nanoTime();
        firstDraft.completeExceptionally(t);
        status.complete(Status.fromThrowable(t));
        end.completeExceptionally(new AssertionError("ended with " + Status.fromThrowable(t) + ", no final event",
                t));
    }

    @Override
    public void onCompleted() {
        status.complete(Status.OK);
        end.completeExceptionally(new AssertionError("completed without a final event"));
    }
}
