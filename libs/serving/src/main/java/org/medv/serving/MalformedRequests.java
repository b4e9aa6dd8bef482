package org.medv.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import org.medv.model.InvalidRequestException;

import java.io.InputStream;

/**
 * Request bytes that are not a valid message (a string field that is not UTF-8, a truncated varint) end a gRPC call
 * with UNKNOWN in grpc-java: the server's parse failure is an "application error". Wrapped with
 * {@link #refuseMalformed}, a service receives instead a stand-in message marked as malformed, and
 * {@link #check} turns it into INVALID_ARGUMENT on field {@code request}, naming what the parser found.
 */
public final class MalformedRequests {
    /** The largest field number protobuf allows: no medv message uses it. */
    private static final int MARK = 536_870_911;

    private MalformedRequests() {
    }

    /** The same service, each request parsed by a marshaller that marks unparseable bytes instead of throwing. */
    public static ServerServiceDefinition refuseMalformed(ServerServiceDefinition service) {
        ServiceDescriptor old = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor());
        java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<?, ?> wrapped = wrap(m);
            descriptor.addMethod(wrapped.getMethodDescriptor());
            methods.add(wrapped);
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    /** Throws {@link InvalidRequestException} on field {@code request} when {@code request} stands for bad bytes. */
    public static void check(Message request) {
        UnknownFieldSet.Field mark = request.getUnknownFields().getField(MARK);
        if (!mark.getLengthDelimitedList().isEmpty()) {
            throw new InvalidRequestException("request", "the request is not a valid "
                    + request.getDescriptorForType().getName() + " message: "
                    + mark.getLengthDelimitedList().get(0).toStringUtf8());
        }
    }

    private static <Q, R> ServerMethodDefinition<Q, R> wrap(ServerMethodDefinition<Q, R> m) {
        MethodDescriptor<Q, R> md = m.getMethodDescriptor();
        if (!(md.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
                || !(proto.getMessagePrototype() instanceof Message)) {
            return m;
        }
        return ServerMethodDefinition.create(md.toBuilder().setRequestMarshaller(new Marking<>(proto)).build(),
                m.getServerCallHandler());
    }

    private record Marking<Q>(MethodDescriptor.PrototypeMarshaller<Q> delegate)
            implements MethodDescriptor.PrototypeMarshaller<Q> {
        @Override
        public InputStream stream(Q value) {
            return delegate.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (StatusRuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                Message prototype = (Message) delegate.getMessagePrototype();
                return (Q) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder().addField(MARK,
                        UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(why)).build())
                        .build()).build();
            }
        }

        @Override
        public Class<Q> getMessageClass() {
            return delegate.getMessageClass();
        }

        @Override
        public Q getMessagePrototype() {
            return delegate.getMessagePrototype();
        }
    }
}
