package org.medv.serving;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.medv.model.InvalidRequestException;
import org.medv.model.ModelLoadException;
import org.medv.proto.v1.ErrorInfo;

/**
 * The one mapping from medv's failure classes to gRPC statuses (and, through {@link #httpStatus}, to HTTP). The
 * description of an INVALID_ARGUMENT names the field and the limit; the field also travels in the {@code medv-field}
 * trailer so that clients need not parse text.
 */
public final class Statuses {
    public static final Metadata.Key<String> FIELD = Metadata.Key.of("medv-field", Metadata.ASCII_STRING_MARSHALLER);

    private Statuses() {
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        Metadata trailers = new Metadata();
        Status status;
        if (t instanceof InvalidRequestException e) {
            trailers.put(FIELD, e.field());
            status = Status.INVALID_ARGUMENT.withDescription("invalid " + e.field() + ": " + e.getMessage());
        } else if (t instanceof CapacityExceededException) {
            status = Status.RESOURCE_EXHAUSTED.withDescription(t.getMessage());
        } else if (t instanceof ModelLoadException) {
            status = Status.FAILED_PRECONDITION.withDescription(t.getMessage());
        } else {
            status = Status.INTERNAL.withDescription("internal error: " + t.getClass().getSimpleName());
        }
        return status.withCause(t).asRuntimeException(trailers);
    }

    /** The HTTP status for a gRPC code (400 for INVALID_ARGUMENT, 429 for RESOURCE_EXHAUSTED, ...). */
    public static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAUTHENTICATED -> 401;
            case NOT_FOUND -> 404;
            case DEADLINE_EXCEEDED -> 504;
            case UNAVAILABLE -> 503;
            case FAILED_PRECONDITION -> 412;
            case CANCELLED -> 499;
            default -> 500;
        };
    }

    public static ErrorInfo errorInfo(Throwable t) {
        StatusRuntimeException s = toStatus(t);
        String field = s.getTrailers() == null ? null : s.getTrailers().get(FIELD);
        return ErrorInfo.newBuilder()
                .setCode(s.getStatus().getCode().name())
                .setField(field == null ? "" : field)
                .setMessage(s.getStatus().getDescription() == null ? "" : s.getStatus().getDescription())
                .build();
    }
}
