package org.medv.gateway;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * {@code medv.gateway.tls.cert} and {@code medv.gateway.tls.key} (PEM files) as Quarkus' own settings, so that both
 * public ports speak TLS only: HTTPS on the HTTP port ({@code quarkus.http.ssl-port} takes {@code quarkus.http.port},
 * plain requests are disabled, not redirected) and TLS on the separate gRPC server
 * ({@code quarkus.grpc.server.ssl.*}, plain text off). One without the other stops the start. Registered in
 * META-INF/services; a key set directly (e.g. {@code QUARKUS_HTTP_SSL_PORT} in the environment) still wins.
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {
    static final String CERT = "medv.gateway.tls.cert";
    static final String KEY = "medv.gateway.tls.key";
    /** Above application.properties (250), below the environment (300) and system properties (400). */
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String cert = value(context, CERT);
        String key = value(context, KEY);
        if (cert == null && key == null) {
            return List.of();
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException(CERT + " and " + KEY + " go together: " + (cert == null ? CERT : KEY)
                    + " is missing");
        }
        Map<String, String> quarkus = Map.of(
                "quarkus.http.ssl.certificate.files", cert,
                "quarkus.http.ssl.certificate.key-files", key,
                "quarkus.http.ssl-port", "${quarkus.http.port}",
                "quarkus.http.test-ssl-port", "${quarkus.http.test-port}",
                "quarkus.http.insecure-requests", "disabled",
                "quarkus.grpc.server.ssl.certificate", cert,
                "quarkus.grpc.server.ssl.key", key,
                "quarkus.grpc.server.plain-text", "false");
        return List.of(new PropertiesConfigSource(quarkus, "medv.gateway.tls", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? null : v.getValue();
    }
}
