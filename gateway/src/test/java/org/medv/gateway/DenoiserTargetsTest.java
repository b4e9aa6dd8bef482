package org.medv.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DenoiserTargetsTest {
    @Test
    void unsetMeansTheConfiguredClient() {
        assertTrue(DenoiserTargets.parse(Optional.empty()).isEmpty());
        assertTrue(DenoiserTargets.parse(Optional.of(" ")).isEmpty());
    }

    @Test
    void aListIsEachAddressInOrder() throws Exception {
        DenoiserTargets t = DenoiserTargets.parse(Optional.of("10.0.0.7:9102, denoiser-1:9112,[::1]:9122")).orElseThrow();
        assertEquals(List.of("10.0.0.7:9102", "denoiser-1:9112", "[::1]:9122"),
                t.resolve().stream().map(Object::toString).toList());
        assertEquals("::1", t.resolve().get(2).host());
    }

    @Test
    void aDnsNameIsEveryAddressItResolvesTo() throws Exception {
        DenoiserTargets t = DenoiserTargets.parse(Optional.of("dns:///localhost:9102")).orElseThrow();
        assertTrue(t.dns());
        List<String> now = t.resolve().stream().map(Object::toString).toList();
        assertTrue(now.contains("127.0.0.1:9102"), now.toString());
        now.forEach(a -> assertTrue(a.endsWith(":9102"), a));
    }

    @Test
    void malformedValuesNameTheKeyAndThePart() {
        assertEquals("medv.gateway.denoisers: 'denoiser' is not host:port (expected host:port,host:port or "
                + "dns:///name:port)", message("denoiser"));
        assertEquals("medv.gateway.denoisers: the port of 'a:0' must be 1..65535", message("a:9102,a:0"));
        assertEquals("medv.gateway.denoisers: the port of 'a:x' must be 1..65535", message("dns:///a:x"));
        assertEquals("medv.gateway.denoisers names a:1 twice", message("a:1,a:1"));
    }

    private static String message(String value) {
        return assertThrows(IllegalArgumentException.class, () -> DenoiserTargets.parse(Optional.of(value)))
                .getMessage();
    }
}
