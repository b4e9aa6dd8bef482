package org.medv.gateway;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ChatTurn;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Role;
import org.medv.proto.v1.TokenIds;
import org.medv.serving.Statuses;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

/**
 * Property-based tests of hostile gRPC {@code AskRequest}s against the gateway's real gRPC server (QuickTheories,
 * fixed seeds; a failure shrinks and prints the request): a valid request with exactly one defect (a string over
 * its cap, a number out of range, an enum value no version defines, an unknown role, a label over its caps, an
 * image over the size limit or one vision refuses) is INVALID_ARGUMENT whose {@code medv-field} trailer and
 * description name that field; any request built from hostile strings, extreme numbers and undefined enum values
 * is answered or refused INVALID_ARGUMENT naming a field, never INTERNAL, UNKNOWN or a timeout; bytes that are not
 * valid UTF-8 in a string field likewise. After each property the gateway is ready and still answers.
 */
@QuarkusTest
class HostileAskRequestPropertiesTest extends GatewayTestBase {
    /** Characters of hostile strings: controls, NUL, JSON and prompt specials, RTL, combining marks, emoji. */
    private static final String[] PIECES = {"a", "Z", "0", " ", "\n", "\t", "\u0000", "\u0007", "\u001b[31m", "\"",
            "\\", "{", "}", "<image>", "<|eot_id|>", "<|mdm_mask|>", "<|start_header_id|>", "\u202e", "\u0301", "\u00e9",
            "\u4e2d", "\ud83e\uddec", "\ufffd", "\ufeff", "%s", "${x}", "' OR 1=1 --", "../../etc/passwd"};

    /** A request with one injected defect and the field its refusal must name. */
    record Case(String what, String field, AskRequest request) {
        @Override
        public String toString() {
            String text = request.toString();
            return what + " -> " + field + ": " + (text.length() > 600 ? text.substring(0, 600) + "..." : text);
        }
    }

    @AfterEach
    void stillHealthyAndServing() {
        assertReadyAndServing();
    }

    @Test
    void oneDefectIsInvalidArgumentNamingTheField() {
        qt().withFixedSeed(401).withExamples(300).withShrinkCycles(30).forAll(defective()).checkAssert(c -> {
            StatusRuntimeException e = refused(c.request(), c);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus() + " for " + c);
            assertEquals(c.field(), e.getTrailers() == null ? null : e.getTrailers().get(Statuses.FIELD),
                    e.getStatus() + " for " + c);
            assertTrue(e.getStatus().getDescription().contains(c.field()), e.getStatus() + " for " + c);
        });
    }

    @Test
    void anyHostileRequestIsAnsweredOrInvalidArgumentNamingAField() {
        qt().withFixedSeed(409).withExamples(400).withShrinkCycles(30).forAll(hostile()).checkAssert(r -> {
            try {
                AnswerEvent e = assistant().askOnce(r);
                assertTrue(e.getFinal(), r::toString);
                assertFalse(e.hasError(), () -> e.getError() + " for " + r);
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus() + " for " + r);
                String field = e.getTrailers() == null ? null : e.getTrailers().get(Statuses.FIELD);
                assertNotNull(field, e.getStatus() + " for " + r);
                assertTrue(e.getStatus().getDescription().contains(field), e.getStatus() + " for " + r);
            }
        });
    }

    /** Bytes no Java client can send: a string field (question, conversation, label) holding invalid UTF-8. */
    @Test
    void invalidUtf8InAStringFieldIsInvalidArgument() {
        byte[] valid = ask(8, 8, 4).build().toByteArray();
        qt().withFixedSeed(419).withExamples(60).withShrinkCycles(20).forAll(in -> {
            byte[] junk = new byte[(int) in.next(Constraint.between(1, 12))];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) in.next(Constraint.between(0x80, 0xff));
            }
            // a continuation byte first: never valid UTF-8, whatever follows
            junk[0] = (byte) in.next(Constraint.between(0x80, 0xbf));
            int field = new int[] {2, 3, 5}[pick(in, 3)];
            return new Raw(field, junk, valid);
        }).checkAssert(raw -> {
            try {
                ClientCalls.blockingUnaryCall(channel, RAW_ASK_ONCE, CallOptions.DEFAULT
                        .withDeadlineAfter(30, TimeUnit.SECONDS), raw.bytes());
                throw new AssertionError("accepted " + raw);
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus() + " for " + raw);
            }
        });
    }

    /** A valid request's bytes followed by one string field (question, a turn's content, a label key) of junk. */
    record Raw(int field, byte[] junk, byte[] valid) {
        byte[] bytes() {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.writeBytes(valid);
            byte[] inner = switch (field) {
                case 2 -> junk;
                // ChatTurn{content = junk}
                case 3 -> concat(new byte[] {0x12, (byte) junk.length}, junk);
                // ClientMetadata{labels = {junk: ""}}: map entry {key = junk}
                default -> concat(new byte[] {0x12, (byte) (junk.length + 2), 0x0a, (byte) junk.length}, junk);
            };
            out.write(field << 3 | 2);
            out.write(inner.length);
            out.writeBytes(inner);
            return out.toByteArray();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("field " + field + " junk");
            for (byte x : junk) {
                b.append(String.format(" %02x", x & 0xff));
            }
            return b.toString();
        }
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> RAW_ASK_ONCE = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(AssistantGrpc.SERVICE_NAME, "AskOnce"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private static StatusRuntimeException refused(AskRequest r, Case c) {
        try {
            AnswerEvent e = assistant().askOnce(r);
            throw new AssertionError("answered " + e.getText() + " for " + c);
        } catch (StatusRuntimeException e) {
            return e;
        }
    }

    private static Gen<Case> defective() {
        return in -> {
            AskRequest.Builder b = ask(8, 8, 4);
            int kind = pick(in, 24);
            switch (kind) {
                case 0 -> {
                    int n = (int) in.next(Constraint.between(-8, 0));
                    return options(b, "gen_length <= 0", "gen_length", o -> o.setGenLength(n).setBlockLength(n)
                            .setSteps(n));
                }
                case 1 -> {
                    int n = 1 << (20 + pick(in, 10));
                    return options(b, "gen_length beyond the positions", "gen_length", o -> o.setGenLength(n)
                            .setBlockLength(n).setSteps(n));
                }
                case 2 -> {
                    return options(b, "block_length not dividing", "block_length", o -> o.setGenLength(16)
                            .setBlockLength(5 + 2 * pick(in, 3)).setSteps(16));
                }
                case 3 -> {
                    int steps = pick(in, 2) == 0 ? (int) in.next(Constraint.between(-5, 0)) : 7;
                    return options(b, "steps " + steps, "steps", o -> o.setGenLength(16).setBlockLength(8)
                            .setSteps(steps));
                }
                case 4 -> {
                    double t = new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1e-9, -5}[pick(in, 4)];
                    return options(b, "temperature " + t, "temperature", o -> o.setTemperature(t));
                }
                case 5 -> {
                    double s = new double[] {Double.NaN, Double.NEGATIVE_INFINITY, -0.5}[pick(in, 3)];
                    return options(b, "cfg_scale " + s, "cfg_scale", o -> o.setCfgScale(s));
                }
                case 6 -> {
                    int v = undefined(in, 3);
                    return options(b, "remasking " + v, "remasking", o -> o.setRemaskingValue(v));
                }
                case 7 -> {
                    int v = undefined(in, 4);
                    return options(b, "cache " + v, "cache", o -> o.setCacheValue(v));
                }
                case 8 -> {
                    double t = new double[] {-0.1, 1.0001, Double.NaN, 1e300}[pick(in, 4)];
                    return options(b, "threshold " + t, "threshold", o -> o.setThreshold(t));
                }
                case 9 -> {
                    int id = pick(in, 2) == 0 ? -1 - pick(in, 1000) : 100_000 + pick(in, 1 << 20);
                    return options(b, "stop id " + id, "stop_ids", o -> o.addStopIds(TokenIds.newBuilder().addIds(id)));
                }
                case 10 -> {
                    int id = pick(in, 2) == 0 ? Integer.MIN_VALUE : 1 << 24;
                    return options(b, "forbid id " + id, "forbid_ids", o -> o.setForbidIds(TokenIds.newBuilder()
                            .addIds(id)));
                }
                case 11 -> {
                    return options(b, "empty stop string", "stop", o -> o.addStop(""));
                }
                case 12 -> {
                    b.setQuestion(hostileString(in, limit("question-chars") + 1, limit("question-chars") + 200));
                    return new Case("question over its cap", "question", b.build());
                }
                case 13 -> {
                    b.setQuestion(" \n\t".repeat(pick(in, 4)));
                    return new Case("blank question", "question", b.build());
                }
                case 14 -> {
                    b.clearQuestion().addConversation(ChatTurn.newBuilder().setRoleValue(undefined(in, 3))
                            .setContent(hostileString(in, 1, 40)));
                    return new Case("undefined role", "conversation", b.build());
                }
                case 15 -> {
                    b.clearQuestion().addConversation(turn(Role.ROLE_USER, hostileString(in, 1, 40)))
                            .addConversation(turn(Role.ROLE_ASSISTANT, hostileString(in, 0, 40)));
                    return new Case("ends with the assistant", "conversation", b.build());
                }
                case 16 -> {
                    b.clearQuestion();
                    for (int i = 0; i <= limit("turns"); i++) {
                        b.addConversation(turn(i % 2 == 0 ? Role.ROLE_USER : Role.ROLE_ASSISTANT, "t"));
                    }
                    return new Case("too many turns", "conversation", b.build());
                }
                case 17 -> {
                    b.clearQuestion().addConversation(turn(Role.ROLE_USER, hostileString(in, 0, 20) + "<image>"));
                    return new Case("<image> in a turn", "conversation", b.build());
                }
                case 18 -> {
                    b.addConversation(turn(Role.ROLE_USER, hostileString(in, 1, 20)));
                    return new Case("question and conversation", "conversation", b.build());
                }
                case 19 -> {
                    b.setMetadata(ClientMetadata.newBuilder().setCorrelationId(hostileString(in,
                            limit("correlation-id-chars") + 1, limit("correlation-id-chars") + 50)));
                    return new Case("correlation id over its cap", "correlation_id", b.build());
                }
                case 20 -> {
                    ClientMetadata.Builder m = ClientMetadata.newBuilder();
                    for (int i = 0; i <= limit("labels"); i++) {
                        m.putLabels("k" + i, hostileString(in, 0, 10));
                    }
                    return new Case("too many labels", "labels", b.setMetadata(m).build());
                }
                case 21 -> {
                    boolean key = pick(in, 2) == 0;
                    String big = hostileString(in, (key ? limit("label-key-chars") : limit("label-value-chars")) + 1,
                            (key ? limit("label-key-chars") : limit("label-value-chars")) + 40);
                    return new Case("label " + (key ? "key" : "value") + " over its cap", "labels", b.setMetadata(
                            ClientMetadata.newBuilder().putLabels(key ? big : "k", key ? "v" : big)).build());
                }
                case 22 -> {
                    byte[] bad = ("BAD" + hostileString(in, 0, 30)).getBytes(StandardCharsets.UTF_8);
                    return new Case("an image vision refuses", "image", b.setImage(ByteString.copyFrom(bad)).build());
                }
                default -> {
                    long max = ConfigProvider.getConfig().getValue("medv.vision.max-image-bytes", Long.class);
                    byte[] big = new byte[(int) max + 1 + pick(in, 100)];
                    return new Case("image over max-image-bytes", "image", b.setImage(ByteString.copyFrom(big))
                            .build());
                }
            }
        };
    }

    /** Requests of hostile strings, extreme numbers and undefined enum values in every field. */
    private static Gen<AskRequest> hostile() {
        return in -> {
            AskRequest.Builder b = AskRequest.newBuilder();
            switch (pick(in, 3)) {
                case 0 -> b.setImage(ByteString.copyFrom(IMAGE));
                case 1 -> b.setImage(ByteString.copyFrom(("BAD" + hostileString(in, 0, 9))
                        .getBytes(StandardCharsets.UTF_8)));
                default -> {
                }
            }
            if (pick(in, 4) > 0) {
                b.setQuestion(hostileString(in, 0, pick(in, 8) == 0 ? limit("question-chars") + 10 : 80));
            }
            for (int i = pick(in, 4); i > 0; i--) {
                b.addConversation(ChatTurn.newBuilder().setRoleValue((int) in.next(Constraint.between(-1, 3)))
                        .setContent(hostileString(in, 0, 40)));
            }
            GenerationOptions.Builder o = GenerationOptions.newBuilder();
            if (pick(in, 2) == 0) {
                int n = anyInt(in);
                o.setGenLength(n).setBlockLength(pick(in, 2) == 0 ? n : anyInt(in))
                        .setSteps(pick(in, 2) == 0 ? n : anyInt(in));
            }
            if (pick(in, 2) == 0) {
                o.setTemperature(anyDouble(in));
            }
            if (pick(in, 3) == 0) {
                o.setCfgScale(anyDouble(in));
            }
            if (pick(in, 3) == 0) {
                o.setThreshold(anyDouble(in));
            }
            if (pick(in, 3) == 0) {
                o.setRefreshEvery(anyInt(in));
            }
            if (pick(in, 3) == 0) {
                o.setSeed(in.next(Constraint.between(Long.MIN_VALUE, Long.MAX_VALUE)));
            }
            o.setRemaskingValue((int) in.next(Constraint.between(-2, 4)));
            o.setCacheValue((int) in.next(Constraint.between(-2, 5)));
            o.setNoStop(pick(in, 4) == 0);
            for (int i = pick(in, 3); i > 0; i--) {
                o.addStop(hostileString(in, 0, 12));
            }
            for (int i = pick(in, 3); i > 0; i--) {
                o.addStopIds(TokenIds.newBuilder().addIds(anyInt(in)));
            }
            if (pick(in, 3) == 0) {
                o.setForbidIds(TokenIds.newBuilder().addIds(anyInt(in)));
            }
            b.setOptions(o);
            ClientMetadata.Builder m = ClientMetadata.newBuilder().setCorrelationId(hostileString(in, 0, 300));
            for (int i = pick(in, 20); i > 0; i--) {
                String key = hostileString(in, 0, 70);
                m.putLabels(key.equals("script") ? key + "~" : key, hostileString(in, 0, 520));
            }
            return b.setMetadata(m).build();
        };
    }

    private static Case options(AskRequest.Builder b, String what, String field,
                                UnaryOperator<GenerationOptions.Builder> edit) {
        return new Case(what, field, b.setOptions(edit.apply(b.getOptions().toBuilder())).build());
    }

    private static ChatTurn turn(Role role, String content) {
        return ChatTurn.newBuilder().setRole(role).setContent(content).build();
    }

    /** An enum number outside 0..defined-1: negative, just past the end, or huge. */
    private static int undefined(RandomnessSource in, int defined) {
        return switch (pick(in, 3)) {
            case 0 -> -1 - pick(in, 100);
            case 1 -> defined + pick(in, 5);
            default -> Integer.MAX_VALUE - pick(in, 5);
        };
    }

    private static int anyInt(RandomnessSource in) {
        return switch (pick(in, 3)) {
            case 0 -> (int) in.next(Constraint.between(-4, 40));
            case 1 -> 8 * (int) in.next(Constraint.between(1, 8));
            default -> (int) in.next(Constraint.between(Integer.MIN_VALUE, Integer.MAX_VALUE));
        };
    }

    private static double anyDouble(RandomnessSource in) {
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0, 1, -1,
                Double.MIN_VALUE, Double.MAX_VALUE, 0.5, 1.0000001};
        return special[pick(in, special.length)];
    }

    static String hostileString(RandomnessSource in, int minChars, int maxChars) {
        int n = (int) in.next(Constraint.between(minChars, maxChars));
        StringBuilder b = new StringBuilder(n);
        while (b.length() < n) {
            b.append(PIECES[pick(in, PIECES.length)]);
        }
        if (b.length() > n && Character.isHighSurrogate(b.charAt(n - 1))) {
            n--;
        }
        b.setLength(Math.max(n, minChars));
        return b.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int limit(String key) {
        return ConfigProvider.getConfig().getValue("medv.gateway.limits." + key, Integer.class);
    }

    private static int pick(RandomnessSource in, int n) {
        return (int) in.next(Constraint.between(0, n - 1));
    }
}
