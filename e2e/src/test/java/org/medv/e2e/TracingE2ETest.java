package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.medv.e2e.OtlpReceiver.ReceivedSpan;
import org.medv.eval.Labels;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.DenoiseEvent;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One request is one trace: a client's W3C traceparent goes through the gateway (gRPC), vision and the denoiser
 * (gRPC), onto every Kafka record of the request (steps, answer: their traceparent header) and into the evaluator,
 * whose score record carries its own span of the same trace; the final event names the trace id. The spans are
 * checked where an operator sees them: exported over OTLP/HTTP to a collector (the test's {@link OtlpReceiver}).
 */
class TracingE2ETest {
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void oneRequestIsOneTraceAcrossServicesAndKafka() throws Exception {
        Stack stack = Stack.get();
        SecureRandom random = new SecureRandom();
        String traceId = HEX.formatHex(random.generateSeed(16));
        String clientSpan = HEX.formatHex(random.generateSeed(8));
        Metadata headers = new Metadata();
        headers.put(TRACEPARENT, "00-" + traceId + "-" + clientSpan + "-01");
        String runId = "trace-" + UUID.randomUUID();
        AskRequest request = Clients.request(Clients.png(64, 64, 11), "Is there a lesion?", 16, 16, 16).toBuilder()
                .setMetadata(ClientMetadata.newBuilder().putLabels(Labels.RUN_ID, runId)
                        .putLabels(Labels.QUESTION_ID, "q1").putLabels(Labels.GROUND_TRUTH, "yes")
                        .putLabels(Labels.ANSWER_TYPE, "CLOSED"))
                .build();

        List<AnswerEvent> events = new ArrayList<>();
        ManagedChannel channel = Clients.channel(0);
        try {
            Iterator<AnswerEvent> it = AssistantGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(120, TimeUnit.SECONDS).ask(request);
            it.forEachRemaining(events::add);
        } finally {
            channel.shutdownNow();
        }
        AnswerEvent last = events.get(events.size() - 1);
        assertTrue(last.getFinal(), "the last event is the final one");
        assertEquals(traceId, last.getTraceId(), "the final event names the client's trace");
        assertTrue(events.subList(0, events.size() - 1).stream().allMatch(e -> e.getTraceId().isEmpty()),
                "only the final event carries trace_id");

        // every Kafka record of the request carries a traceparent of that trace
        Records records = records(last.getRequestId(), Duration.ofSeconds(90));
        assertTrue(records.steps.size() >= 2, "step events and the final one: " + records.steps.size());
        for (String tp : records.steps) {
            assertEquals(traceId, part(tp, 1), "a step record's traceparent: " + tp);
        }
        assertEquals(Set.of(part(records.answer, 2)), records.steps.stream().map(tp -> part(tp, 2))
                .collect(Collectors.toSet()), "steps and answer name the same span (the denoiser's Start)");
        assertEquals(traceId, part(records.answer, 1), "the answer record's traceparent: " + records.answer);
        assertEquals(traceId, part(records.score, 1), "the score record's traceparent: " + records.score);
        assertNotEquals(part(records.answer, 2), part(records.score, 2), "the evaluator's span is its own");

        // the exported spans: one trace, each service's span the child of the one before
        String denoiserSpan = part(records.answer, 2);
        String evaluatorSpan = part(records.score, 2);
        List<ReceivedSpan> spans = stack.otlp.await(traceId, s -> s.stream().anyMatch(x -> x.spanId()
                .equals(evaluatorSpan)) && services(s).containsAll(Set.of("medv-gateway", "medv-vision",
                "medv-denoiser")), Duration.ofSeconds(60));
        Map<String, ReceivedSpan> byId = spans.stream().collect(Collectors.toMap(ReceivedSpan::spanId, s -> s,
                (a, b) -> a));
        ReceivedSpan gatewayServer = only(spans, s -> s.service().equals("medv-gateway") && s.kind()
                .equals("SPAN_KIND_SERVER"), "the gateway's server span");
        assertEquals(clientSpan, gatewayServer.parentSpanId(), "the gateway continues the client's span");
        ReceivedSpan visionServer = only(spans, s -> s.service().equals("medv-vision") && s.kind()
                .equals("SPAN_KIND_SERVER"), "vision's Encode span");
        assertEquals("medv-gateway", byId.get(visionServer.parentSpanId()).service(), "vision under the gateway");
        ReceivedSpan denoiserStart = byId.get(denoiserSpan);
        assertEquals("medv-denoiser", denoiserStart.service(), "the records' span is the denoiser's: " + spans);
        assertEquals("medv-gateway", byId.get(denoiserStart.parentSpanId()).service(), "denoiser under gateway");
        ReceivedSpan evaluator = byId.get(evaluatorSpan);
        assertEquals("medv-evaluator", evaluator.service());
        assertEquals(denoiserSpan, evaluator.parentSpanId(), "the evaluator continues the answer record's span");
    }

    private static Set<String> services(List<ReceivedSpan> spans) {
        return spans.stream().map(ReceivedSpan::service).collect(Collectors.toSet());
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> p,
                                     String what) {
        List<ReceivedSpan> found = spans.stream().filter(p).toList();
        assertEquals(1, found.size(), what + ": " + spans);
        return found.get(0);
    }

    /** Field {@code i} of a traceparent {@code 00-<trace id>-<span id>-<flags>}. */
    private static String part(String traceparent, int i) {
        String[] p = traceparent.split("-");
        assertEquals(4, p.length, "a W3C traceparent: " + traceparent);
        return p[i];
    }

    private record Records(List<String> steps, String answer, String score) {
    }

    /** The traceparent headers of the request's step records (up to its final one), answer and score. */
    private static Records records(String requestId, Duration timeout) {
        List<String> steps = new ArrayList<>();
        String answer = null;
        String score = null;
        boolean finalSeen = false;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", Stack.get().kafka.bootstrapServers(),
                "group.id", "e2e-trace-" + UUID.randomUUID(), "isolation.level", "read_committed",
                "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("medv.denoise.steps", "medv.answers", "medv.scores"));
            long end = System.nanoTime() + timeout.toNanos();
            while (!(finalSeen && answer != null && score != null) && System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    switch (r.topic()) {
                        case "medv.denoise.steps" -> {
                            if (requestId.equals(r.key())) {
                                steps.add(traceparent(r));
                                finalSeen |= parse(r.value()).getFinal();
                            }
                        }
                        case "medv.answers" -> answer = requestId.equals(r.key()) ? traceparent(r) : answer;
                        default -> {
                            Header h = r.headers().lastHeader("medv-request-id");
                            if (h != null && requestId.equals(new String(h.value(), StandardCharsets.UTF_8))) {
                                score = traceparent(r);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(finalSeen && answer != null && score != null, "the request's final step, answer and score"
                + " within " + timeout + " (final " + finalSeen + ", answer " + answer + ", score " + score + ")");
        return new Records(steps, answer, score);
    }

    private static String traceparent(ConsumerRecord<String, byte[]> r) {
        Header h = r.headers().lastHeader("traceparent");
        assertTrue(h != null, "a " + r.topic() + " record without a traceparent header");
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static DenoiseEvent parse(byte[] value) {
        try {
            return DenoiseEvent.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("a medv.denoise.steps record that is not a DenoiseEvent", e);
        }
    }
}
