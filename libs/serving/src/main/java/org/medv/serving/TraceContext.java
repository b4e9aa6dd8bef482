package org.medv.serving;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * W3C trace context on the raw Kafka clients' records: the {@code traceparent} header, written and read with the
 * OpenTelemetry API's {@link W3CTraceContextPropagator} (the format every OpenTelemetry SDK and SmallRye Reactive
 * Messaging use), so a trace goes on from gateway, vision and denoiser over Kafka to the evaluator.
 */
public final class TraceContext {
    public static final String HEADER = "traceparent";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapGetter<Headers> HEADERS_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            List<String> keys = new java.util.ArrayList<>();
            carrier.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
            Header h = carrier == null ? null : carrier.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private TraceContext() {
    }

    /** The {@code traceparent} value of {@code context}'s span, or "" when it has none (tracing off). */
    public static String traceparent(Context context) {
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(context, carrier, MAP_SETTER);
        return carrier.getOrDefault(HEADER, "");
    }

    /** Sets the {@code traceparent} header of a record about to be sent (replacing one); nothing for "". */
    public static void inject(String traceparent, Headers headers) {
        if (traceparent != null && !traceparent.isEmpty()) {
            headers.remove(HEADER);
            headers.add(HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Sets the header from {@code context}'s span (the current span of a handler, a span of ours). */
    public static void inject(Context context, Headers headers) {
        inject(traceparent(context), headers);
    }

    /** The context a received record's {@code traceparent} header names (the root context without one). */
    public static Context extract(Headers headers) {
        return W3C.extract(Context.root(), headers, HEADERS_GETTER);
    }

    /** The trace id (32 hex digits) of a {@code traceparent} value, or "" when it is not a valid one. */
    public static String traceId(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return "";
        }
        SpanContext sc = Span.fromContext(W3C.extract(Context.root(), Map.of(HEADER, traceparent), MAP_GETTER))
                .getSpanContext();
        return sc.isValid() ? sc.getTraceId() : "";
    }
}
