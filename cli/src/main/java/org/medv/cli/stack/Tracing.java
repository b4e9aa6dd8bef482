package org.medv.cli.stack;

import org.medv.model.InvalidRequestException;

import java.net.URI;
import java.util.List;

/**
 * The services' tracing settings for a local stack. Tracing is always on: every service propagates the W3C trace
 * context (gRPC, HTTP, the Kafka records' traceparent header) and the final event names the trace id. Spans leave a
 * service only when sampled, and the services sample nothing (quarkus.otel.traces.sampler.arg=0.0 in their
 * application.properties) unless an OTLP endpoint is given: then all of them (1.0), exported to it.
 */
public final class Tracing {
    private Tracing() {
    }

    /**
     * The -D settings that export every span to {@code endpoint} (an OTLP collector: {@code grpc} on 4317, or
     * {@code http/protobuf} on 4318, which posts to {@code endpoint/v1/traces}).
     */
    public static List<String> exportTo(String endpoint, String protocol) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("otlp-endpoint", "--otlp-endpoint must be a URL such as"
                    + " http://localhost:4317, got " + endpoint);
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new InvalidRequestException("otlp-endpoint", "--otlp-endpoint must be an http:// or https:// URL"
                    + " such as http://localhost:4317, got " + endpoint);
        }
        if (!protocol.equals("grpc") && !protocol.equals("http/protobuf")) {
            throw new InvalidRequestException("otlp-protocol", "--otlp-protocol must be grpc or http/protobuf, got "
                    + protocol);
        }
        String base = protocol.equals("http/protobuf") ? endpoint.replaceAll("/+$", "") + "/v1/traces" : endpoint;
        return List.of("-Dquarkus.otel.traces.sampler.arg=1.0",
                "-Dquarkus.otel.exporter.otlp.traces.endpoint=" + base,
                "-Dquarkus.otel.exporter.otlp.traces.protocol=" + protocol);
    }
}
