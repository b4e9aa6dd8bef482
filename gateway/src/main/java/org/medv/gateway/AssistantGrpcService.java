package org.medv.gateway;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.serving.MalformedRequests;
import org.medv.serving.Statuses;

import java.util.concurrent.TimeUnit;

/**
 * The public gRPC API. Runs on worker threads (the internal calls block); events then flow from the Kafka relay
 * through the request's mailbox, paced by the call's readiness.
 */
@GrpcService
public class AssistantGrpcService implements AssistantGrpc.AsyncService, BindableService {
    private final AskService asks;

    AssistantGrpcService(AskService asks) {
        this.asks = asks;
    }

    /** Bytes that do not parse as an AskRequest (invalid UTF-8 in a string, say) are INVALID_ARGUMENT, not UNKNOWN. */
    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.refuseMalformed(AssistantGrpc.bindService(this));
    }

    @Override
    @Blocking
    public void ask(AskRequest request, StreamObserver<AnswerEvent> out) {
        run(request, (ServerCallStreamObserver<AnswerEvent>) out, true);
    }

    @Override
    @Blocking
    public void askOnce(AskRequest request, StreamObserver<AnswerEvent> out) {
        run(request, (ServerCallStreamObserver<AnswerEvent>) out, false);
    }

    private void run(AskRequest request, ServerCallStreamObserver<AnswerEvent> call, boolean drafts) {
        long deadlineUnixMs = clientDeadline();
        try {
            MalformedRequests.check(request);
            asks.admit();
            AskPlan plan = asks.plan(request);
            Mailbox box = asks.register(plan, drafts);
            call.setOnCancelHandler(box::clientGone);
            call.setOnReadyHandler(box::drain);
            asks.dispatch(plan, box, deadlineUnixMs);
            box.attach(new GrpcSink(call));
        } catch (RuntimeException e) {
            call.onError(Statuses.toStatus(e));
        }
    }

    /** The client's gRPC deadline as unix ms, or 0 without one. */
    private static long clientDeadline() {
        Deadline d = Context.current().getDeadline();
        return d == null ? 0 : System.currentTimeMillis() + d.timeRemaining(TimeUnit.MILLISECONDS);
    }

    /** Drafts only while the transport can take them (flow control); the final event always. */
    private record GrpcSink(ServerCallStreamObserver<AnswerEvent> call) implements Mailbox.Sink {
        @Override
        public boolean ready(boolean last) {
            return last || call.isReady();
        }

        @Override
        public void send(AnswerEvent event) {
            call.onNext(event);
        }

        @Override
        public void finish() {
            call.onCompleted();
        }

        @Override
        public void abort() {
            try {
                call.onError(io.grpc.Status.UNAVAILABLE.withDescription("the answer was not taken in time")
                        .asRuntimeException());
            } catch (RuntimeException e) {
                // the call is already closed
            }
        }
    }
}
