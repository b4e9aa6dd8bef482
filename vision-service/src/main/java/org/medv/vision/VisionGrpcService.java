package org.medv.vision;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.medv.proto.v1.EncodeReply;
import org.medv.proto.v1.EncodeRequest;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.VisionGrpc;
import org.medv.serving.Statuses;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * {@code medv.v1.Vision}: validates, hands the image to {@link VisionEngine} and answers when the engine does.
 * Logs carry sizes, digests and statuses only, never image bytes.
 */
@GrpcService
public class VisionGrpcService extends VisionGrpc.VisionImplBase {
    private static final Logger LOG = Logger.getLogger(VisionGrpcService.class);

    @Inject
    VisionEngine engine;

    @Inject
    VisionMetrics metrics;

    /** On a worker thread: copying and hashing up to 20 MiB does not belong on the event loop. */
    @Override
    @Blocking
    public void encode(EncodeRequest request, StreamObserver<EncodeReply> reply) {
        long start = System.nanoTime();
        int size = request.getImage().size();
        Context call = Context.current();
        try {
            engine.encode(request.getImage().toByteArray(), call::isCancelled).whenComplete((encoded, error) -> {
                if (error != null) {
                    fail(reply, error, size);
                    return;
                }
                long nanos = System.nanoTime() - start;
                metrics.latency(nanos, encoded.cached());
                Embeddings e = encoded.embeddings();
                LOG.debugf("encoded image %s (%d bytes) -> %d x %d, cached=%s, %d ms", e.getImageDigest(), size,
                        e.getRows(), e.getCols(), encoded.cached(), nanos / 1_000_000);
                reply.onNext(EncodeReply.newBuilder().setEmbeddings(e).setCached(encoded.cached()).build());
                reply.onCompleted();
            });
        } catch (RuntimeException e) {
            fail(reply, e, size);
        }
    }

    private static void fail(StreamObserver<EncodeReply> reply, Throwable error, int size) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CancellationException) {
            LOG.debugf("skipped an image of %d bytes: the caller went away", size);
            return;
        }
        StatusRuntimeException status = Statuses.toStatus(cause);
        switch (status.getStatus().getCode()) {
            case INVALID_ARGUMENT, RESOURCE_EXHAUSTED -> LOG.infof("refused an image of %d bytes: %s %s", size,
                    status.getStatus().getCode(), status.getStatus().getDescription());
            default -> LOG.errorf(cause, "encoding an image of %d bytes failed", size);
        }
        reply.onError(status);
    }
}
