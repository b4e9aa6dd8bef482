package org.medv.e2e;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTelemetry collector's trace endpoint in miniature: OTLP/HTTP with protobuf bodies
 * ({@code POST /v1/traces}, an {@code ExportTraceServiceRequest}, gzip or not), parsed with the OTLP protos of
 * {@code io.opentelemetry.proto:opentelemetry-proto}. The services export to it as to any collector.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span: the exporting service, ids as lower-case hex (parent "" for a root), name and kind. */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, String kind) {
    }

    private static final HexFormat HEX = HexFormat.of();
    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();

    OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                InputStream body = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(body);
                }
                add(ExportTraceServiceRequest.parseFrom(body.readAllBytes()));
                byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, reply.length == 0 ? -1 : reply.length);
                exchange.getResponseBody().write(reply);
            }
        });
        server.start();
    }

    /** The base URL (without /v1/traces). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized void add(ExportTraceServiceRequest request) {
        for (ResourceSpans rs : request.getResourceSpansList()) {
            String service = rs.getResource().getAttributesList().stream()
                    .filter(kv -> kv.getKey().equals("service.name")).map(KeyValue::getValue)
                    .map(v -> v.getStringValue()).findFirst().orElse("");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (var s : ss.getSpansList()) {
                    spans.add(new ReceivedSpan(service, HEX.formatHex(s.getTraceId().toByteArray()),
                            HEX.formatHex(s.getSpanId().toByteArray()),
                            HEX.formatHex(s.getParentSpanId().toByteArray()), s.getName(), s.getKind().name()));
                }
            }
        }
        notifyAll();
    }

    /** The spans of {@code traceId} once {@code complete} holds for them (exports come in batches), else fails. */
    synchronized List<ReceivedSpan> await(String traceId, Predicate<List<ReceivedSpan>> complete, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ReceivedSpan> mine = spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
            if (complete.test(mine)) {
                return mine;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the spans of trace " + traceId + " did not all arrive within " + timeout
                        + "; received: " + mine);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
