package org.medv.denoiser.engine;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.medv.proto.v1.ErrorInfo;
import org.medv.serving.Statuses;

/**
 * The denoiser's one error mapper: its own two failure classes, then medv's shared ones through {@link Statuses}.
 * Used for gRPC replies and for the {@code error} of FAILED final records alike.
 */
public final class DenoiserErrors {
    private DenoiserErrors() {
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof DuplicateRequestException) {
            return Status.ALREADY_EXISTS.withDescription(t.getMessage()).asRuntimeException();
        }
        if (t instanceof EngineUnavailableException) {
            return Status.UNAVAILABLE.withDescription(t.getMessage()).asRuntimeException();
        }
        return Statuses.toStatus(t);
    }

    public static ErrorInfo errorInfo(Throwable t) {
        if (t instanceof DuplicateRequestException || t instanceof EngineUnavailableException) {
            Status s = toStatus(t).getStatus();
            return ErrorInfo.newBuilder().setCode(s.getCode().name()).setMessage(s.getDescription()).build();
        }
        return Statuses.errorInfo(t);
    }
}
