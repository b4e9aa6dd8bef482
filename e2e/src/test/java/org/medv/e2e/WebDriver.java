package org.medv.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.cli.stack.ManagedProcess;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A minimal W3C WebDriver client for Debian's chromedriver driving headless Chromium: enough to open a page, fill
 * inputs, upload a file, click, read text, run a script, wait for the page's own events and take a screenshot. No
 * browser download, no Selenium Manager.
 */
final class WebDriver implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** W3C key codes for {@link #type}: a modifier stays down until the end of the text. */
    static final String CONTROL = "\uE009";
    static final String ENTER = "\uE007";
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final ManagedProcess driver;
    private final String base;
    private final String session;
    private final HttpClient http = HttpClient.newHttpClient();

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    WebDriver(Path logDir) throws IOException {
        this(logDir, List.of());
    }

    /** With more Chromium flags (e.g. a pinned test certificate: --ignore-certificate-errors-spki-list=HASH). */
    WebDriver(Path logDir, List<String> extraArgs) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = ManagedProcess.start("chromedriver", List.of(CHROMEDRIVER.toString(), "--port=" + port),
                logDir.resolve("chromedriver.log"));
        driver.awaitPort("localhost", port, Duration.ofSeconds(30));
        base = "http://localhost:" + port;
        Path profile = Files.createTempDirectory("medv-chromium");
        JsonArray args = new JsonArray();
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile)) {
            args.add(a);
        }
        extraArgs.forEach(args::add);
        JsonObject chrome = new JsonObject();
        chrome.addProperty("binary", CHROMIUM.toString());
        chrome.add("args", args);
        JsonObject always = new JsonObject();
        always.addProperty("browserName", "chrome");
        always.add("goog:chromeOptions", chrome);
        JsonObject caps = new JsonObject();
        caps.add("alwaysMatch", always);
        JsonObject body = new JsonObject();
        body.add("capabilities", caps);
        JsonObject created = call("POST", "/session", body).getAsJsonObject();
        if (!created.has("sessionId")) {
            driver.close();
            throw new IllegalStateException("chromedriver did not create a session: " + created);
        }
        session = created.get("sessionId").getAsString();
    }

    void open(String url) {
        JsonObject b = new JsonObject();
        b.addProperty("url", url);
        call("POST", "/session/" + session + "/url", b);
    }

    String find(String css) {
        JsonObject b = new JsonObject();
        b.addProperty("using", "css selector");
        b.addProperty("value", css);
        JsonElement found = call("POST", "/session/" + session + "/element", b);
        if (!found.isJsonObject() || !found.getAsJsonObject().has(ELEMENT)) {
            throw new IllegalStateException("no element " + css + ": " + found);
        }
        return found.getAsJsonObject().get(ELEMENT).getAsString();
    }

    void type(String css, String text) {
        String el = find(css);
        call("POST", "/session/" + session + "/element/" + el + "/clear", new JsonObject());
        JsonObject b = new JsonObject();
        b.addProperty("text", text);
        call("POST", "/session/" + session + "/element/" + el + "/value", b);
    }

    /** Sets a file input to a local file (chromedriver uploads the path). */
    void upload(String css, Path file) {
        JsonObject b = new JsonObject();
        b.addProperty("text", file.toAbsolutePath().toString());
        call("POST", "/session/" + session + "/element/" + find(css) + "/value", b);
    }

    void click(String css) {
        call("POST", "/session/" + session + "/element/" + find(css) + "/click", new JsonObject());
    }

    String text(String css) {
        return call("GET", "/session/" + session + "/element/" + find(css) + "/text", null).getAsString();
    }

    /** Runs {@code js} (a function body; {@code arguments[0]} is {@code arg}) in the page and returns its value. */
    JsonElement script(String js, String arg) {
        JsonObject b = new JsonObject();
        b.addProperty("script", js);
        JsonArray args = new JsonArray();
        args.add(arg);
        b.add("args", args);
        return call("POST", "/session/" + session + "/execute/sync", b);
    }

    /**
     * Waits until {@code condition} (a function body run in the page) returns a truthy value, and returns it. The
     * condition is evaluated at once and again on every {@code eventName} event the page dispatches on its
     * document, so the wait follows the page's own events: no polling.
     */
    JsonElement await(String eventName, String condition, Duration timeout) {
        JsonObject t = new JsonObject();
        t.addProperty("script", timeout.toMillis());
        call("POST", "/session/" + session + "/timeouts", t);
        JsonObject b = new JsonObject();
        b.addProperty("script", """
                const condition = new Function(arguments[0]);
                const eventName = arguments[1];
                const done = arguments[arguments.length - 1];
                const check = () => {
                  let value = null;
                  try { value = condition(); } catch (e) { value = null; }
                  if (value) { document.removeEventListener(eventName, check); done(value); }
                };
                document.addEventListener(eventName, check);
                check();
                """);
        JsonArray args = new JsonArray();
        args.add(condition);
        args.add(eventName);
        b.add("args", args);
        try {
            return call("POST", "/session/" + session + "/execute/async", b, timeout.plusSeconds(10));
        } catch (IllegalStateException e) {
            throw new AssertionError("the page never satisfied `" + condition + "` within " + timeout + ": "
                    + e.getMessage(), e);
        }
    }

    void windowSize(int width, int height) {
        JsonObject b = new JsonObject();
        b.addProperty("width", width);
        b.addProperty("height", height);
        call("POST", "/session/" + session + "/window/rect", b);
    }

    /** A PNG of the viewport. */
    byte[] screenshot() {
        return Base64.getDecoder().decode(call("GET", "/session/" + session + "/screenshot", null).getAsString());
    }

    private JsonElement call(String method, String path, JsonObject body) {
        return call(method, path, body, Duration.ofSeconds(60));
    }

    private JsonElement call(String method, String path, JsonObject body, Duration timeout) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        r = body == null ? r.GET() : r.method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json");
        try {
            HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            JsonObject o = JsonParser.parseString(resp.body()).getAsJsonObject();
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " " + path + ": " + resp.body());
            }
            return o.get("value");
        } catch (IOException e) {
            throw new IllegalStateException("WebDriver " + method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            call("DELETE", "/session/" + session, new JsonObject());
        } finally {
            driver.close();
        }
    }
}
