package org.medv.gateway;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** medv.gateway.tls.cert / key become Quarkus' settings for TLS-only public ports (SecurityE2ETest runs them). */
class TlsConfigSourceFactoryTest {

    private static List<ConfigSource> sources(Map<String, String> given) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                return ConfigValue.builder().withName(name).withValue(given.get(name)).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return given.keySet().iterator();
            }
        };
        return StreamSupport.stream(new TlsConfigSourceFactory().getConfigSources(context).spliterator(), false)
                .toList();
    }

    @Test
    void bothFilesTurnOnTlsOnlyOnBothPorts() {
        List<ConfigSource> s = sources(Map.of(TlsConfigSourceFactory.CERT, "/tls/c.pem",
                TlsConfigSourceFactory.KEY, "/tls/k.pem"));
        assertEquals(1, s.size());
        Map<String, String> p = s.get(0).getProperties();
        assertEquals(Map.of(
                "quarkus.http.ssl.certificate.files", "/tls/c.pem",
                "quarkus.http.ssl.certificate.key-files", "/tls/k.pem",
                "quarkus.http.ssl-port", "${quarkus.http.port}",
                "quarkus.http.test-ssl-port", "${quarkus.http.test-port}",
                "quarkus.http.insecure-requests", "disabled",
                "quarkus.grpc.server.ssl.certificate", "/tls/c.pem",
                "quarkus.grpc.server.ssl.key", "/tls/k.pem",
                "quarkus.grpc.server.plain-text", "false"), p);
        assertEquals(TlsConfigSourceFactory.ORDINAL, s.get(0).getOrdinal());
    }

    @Test
    void neitherLeavesQuarkusAloneAndOneAloneStopsTheStart() {
        assertEquals(List.of(), sources(Map.of()));
        assertEquals(List.of(), sources(Map.of(TlsConfigSourceFactory.CERT, " ")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sources(Map.of(TlsConfigSourceFactory.CERT, "/tls/c.pem")));
        assertTrue(e.getMessage().contains("medv.gateway.tls.key is missing"), e.getMessage());
    }
}
