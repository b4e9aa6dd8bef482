package org.medv.gateway;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import org.medv.proto.v1.AssistantGrpc;

import java.util.Optional;

/**
 * API keys on the public gRPC port: every call but {@code grpc.health.v1.Health} needs the metadata
 * {@code authorization: Bearer KEY}, else UNAUTHENTICATED. A call of {@code medv.v1.Assistant} (Ask, AskOnce) takes a
 * permit of its key's limits, held until the call closes or is cancelled; a refusal is RESOURCE_EXHAUSTED with the
 * trailer {@code retry-after} (seconds).
 */
@GlobalInterceptor
@ApplicationScoped
public class GrpcAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    /** gRPC's health service, open as /q/health is. */
    static final String HEALTH = "grpc.health.v1.Health";

    private final GatewaySecurity security;

    GrpcAuthInterceptor(GatewaySecurity security) {
        this.security = security;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (security.open() || HEALTH.equals(service)) {
            return next.startCall(call, headers);
        }
        Optional<String> key = security.authenticate(headers.get(AUTHORIZATION));
        if (key.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription(GatewaySecurity.UNAUTHENTICATED), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (!AssistantGrpc.SERVICE_NAME.equals(service)) {
            return next.startCall(call, headers);
        }
        KeyLimiter.Permit permit;
        try {
            permit = security.admit(key.get());
        } catch (KeyLimiter.Refused r) {
            Metadata trailers = new Metadata();
            trailers.put(RETRY_AFTER, Long.toString(r.retryAfterSeconds));
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(r.getMessage()), trailers);
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                permit.release();
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(releasing, headers);
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                permit.release();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                permit.release();
                super.onComplete();
            }
        };
    }
}
