package org.medv.denoiser;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import org.medv.denoiser.engine.DenoiserErrors;
import org.medv.denoiser.engine.Engine;
import org.medv.proto.v1.CancelReply;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.StartReply;
import org.medv.proto.v1.StartRequest;
import org.jboss.logging.Logger;
import org.medv.serving.TraceContext;

/**
 * {@code medv.v1.Denoiser}: validates and enqueues (or refuses at once), and cancels. Both calls return without
 * waiting for the engine; the steps and the answer go to Kafka.
 */
@GrpcService
public class DenoiserGrpcService extends DenoiserGrpc.DenoiserImplBase {
    private static final Logger LOG = Logger.getLogger(DenoiserGrpcService.class);

    @Inject
    Engine engine;

    @Override
    public void start(StartRequest request, StreamObserver<StartReply> reply) {
        int position;
        try {
            // the Start call's span (gRPC server instrumentation, parented by the gateway's call)
            position = engine.submit(request, TraceContext.traceparent(io.opentelemetry.context.Context.current()));
        } catch (RuntimeException e) {
            var status = DenoiserErrors.toStatus(e);
            LOG.infof("request %s refused: %s", request.getRequestId(), status.getStatus().getCode());
            reply.onError(status);
            return;
        }
        LOG.debugf("request %s queued at %d", request.getRequestId(), position);
        reply.onNext(StartReply.newBuilder().setQueuePosition(position).build());
        reply.onCompleted();
    }

    @Override
    public void cancel(CancelRequest request, StreamObserver<CancelReply> reply) {
        boolean found = engine.cancel(request.getRequestId());
        LOG.infof("request %s cancel: %s", request.getRequestId(), found ? "found" : "not found");
        reply.onNext(CancelReply.newBuilder().setFound(found).build());
        reply.onCompleted();
    }
}
