package org.medv.gateway;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** image_url parts: data: URLs, and remote URLs only when enabled, within the size limit and the timeout. */
class ImageUrlsTest {
    private static final byte[] PNG = "\u0089PNG small".getBytes(StandardCharsets.ISO_8859_1);
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private String base;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/scan.png", x -> reply(x, 200, PNG));
        server.createContext("/big.png", x -> reply(x, 200, new byte[64]));
        server.createContext("/missing.png", x -> reply(x, 404, new byte[0]));
        server.createContext("/stalled.png", x -> {
            try {
                release.await(30, TimeUnit.SECONDS); // held until the test ends: the client's timeout must fire
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply(x, 200, PNG);
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private static void reply(com.sun.net.httpserver.HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void dataUrlsAreDecodedAndCheckedForSize() {
        ImageUrls urls = new ImageUrls(false, Duration.ofSeconds(1), 32);
        String data = "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG);
        assertArrayEquals(PNG, urls.read(data, "p"));
        assertEquals("p", assertThrows(OpenAiException.class, () -> urls.read("data:image/png,raw", "p")).param);
        assertEquals("p", assertThrows(OpenAiException.class, () -> urls.read("data:image/png;base64,A", "p")).param);
        OpenAiException big = assertThrows(OpenAiException.class, () -> urls.read("data:image/png;base64,"
                + Base64.getEncoder().encodeToString(new byte[64]), "p"));
        assertTrue(big.getMessage().contains("medv.vision.max-image-bytes=32"), big.getMessage());
        assertEquals(400, assertThrows(OpenAiException.class, () -> urls.read("file:///etc/hosts", "p")).status);
    }

    @Test
    void remoteUrlsAreRefusedUnlessEnabled() {
        OpenAiException e = assertThrows(OpenAiException.class,
                () -> new ImageUrls(false, Duration.ofSeconds(1), 32).read(base + "/scan.png", "p"));
        assertEquals("unsupported_value", e.code);
        assertTrue(e.getMessage().contains("medv.gateway.openai.remote-images=false"), e.getMessage());
    }

    @Test
    void enabledRemoteUrlsAreFetchedWithinTheLimitAndTheTimeout() {
        ImageUrls urls = new ImageUrls(true, Duration.ofMillis(500), 32);
        assertArrayEquals(PNG, urls.read(base + "/scan.png", "p"));
        OpenAiException big = assertThrows(OpenAiException.class, () -> urls.read(base + "/big.png", "p"));
        assertTrue(big.getMessage().contains("more than medv.vision.max-image-bytes=32"), big.getMessage());
        OpenAiException missing = assertThrows(OpenAiException.class, () -> urls.read(base + "/missing.png", "p"));
        assertTrue(missing.getMessage().contains("HTTP 404"), missing.getMessage());
        OpenAiException stalled = assertThrows(OpenAiException.class, () -> urls.read(base + "/stalled.png", "p"));
        assertTrue(stalled.getMessage().contains("within 500 ms"), stalled.getMessage());
        assertEquals(400, stalled.status);
    }
}
