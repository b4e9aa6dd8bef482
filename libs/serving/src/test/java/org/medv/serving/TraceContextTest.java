package org.medv.serving;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The traceparent header on Kafka records, in the W3C format (www.w3.org/TR/trace-context, version 00). */
class TraceContextTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void aSpanGoesOntoARecordAndComesBack() {
        Context sampled = Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(),
                TraceState.getDefault())));
        assertEquals("00-" + TRACE + "-" + SPAN + "-01", TraceContext.traceparent(sampled));

        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-00".getBytes(
                StandardCharsets.UTF_8));
        TraceContext.inject(sampled, headers);
        assertEquals(1, headers.toArray().length, "one traceparent header, the old one replaced");
        assertEquals("00-" + TRACE + "-" + SPAN + "-01",
                new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8));

        SpanContext back = Span.fromContext(TraceContext.extract(headers)).getSpanContext();
        assertEquals(TRACE, back.getTraceId());
        assertEquals(SPAN, back.getSpanId());
        assertEquals(TRACE, TraceContext.traceId("00-" + TRACE + "-" + SPAN + "-00"));
    }

    @Test
    void noContextMeansNoHeader() {
        assertEquals("", TraceContext.traceparent(Context.root()));
        RecordHeaders headers = new RecordHeaders();
        TraceContext.inject("", headers);
        assertNull(headers.lastHeader("traceparent"));
        assertFalse(Span.fromContext(TraceContext.extract(headers)).getSpanContext().isValid());
        assertEquals("", TraceContext.traceId("not-a-traceparent"));
        assertEquals("", TraceContext.traceId("00-00000000000000000000000000000000-" + SPAN + "-01"));
    }
}
