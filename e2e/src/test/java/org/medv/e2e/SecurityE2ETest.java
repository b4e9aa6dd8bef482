package org.medv.e2e;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.GatewaySecurity;
import org.medv.cli.stack.LocalStack;
import org.medv.e2e.Commands.Result;
import org.medv.testkit.EmbeddedKafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.medv.e2e.Commands.run;

/**
 * The public ports with TLS and API keys, from clients nobody here wrote: a stack of its own (vision, denoiser, one
 * gateway; {@code LocalStack.gatewaySecurity}, what {@code ./medv up --tls-cert --tls-key --api-keys} passes), a test
 * CA and server certificate made at test time ({@link TestCertificates}), and a random key. curl with
 * {@code --cacert}, {@code @grpc/grpc-js} with TLS credentials and the authorization metadata, the official
 * {@code openai} client over HTTPS (NODE_EXTRA_CA_CERTS), and the page in headless Chromium asking for the key.
 */
class SecurityE2ETest {
    private static final int GRPC = 19050 + Stack.OFFSET;
    private static final int HTTP = 18050 + Stack.OFFSET;
    private static final Path ROOT = Stack.repoRoot();
    private static final Path NODE_DIR = ROOT.resolve("e2e/node");
    private static final Path DOC = ROOT.resolve("docs/security.md");
    private static final String ASK = "{\"question\":\"Is there a lesion in the left lung?\","
            + "\"options\":{\"gen_length\":16,\"block_length\":8,\"steps\":16}}";

    private static EmbeddedKafka kafka;
    private static LocalStack stack;
    private static TestCertificates certs;
    /** The key docs/security.md's commands made. */
    private static String key;

    @BeforeAll
    static void start() throws IOException {
        Path dir = ROOT.resolve("e2e/target/security");
        certs = TestCertificates.write(dir.resolve("tls"));
        // the key file is made as docs/security.md says
        String make = Commands.blocks(Files.readString(DOC), "bash").stream().filter(b -> b.contains("/dev/urandom"))
                .findFirst().orElseThrow();
        Files.deleteIfExists(dir.resolve("api-keys"));
        Result made = run(List.of("bash", "-e", "-c", make), dir, Map.of(), 30);
        assertEquals(0, made.code(), make + "\n" + made.err());
        Path keys = dir.resolve("api-keys");
        List<String> lines = Files.readAllLines(keys);
        assertEquals(2, lines.size(), lines.toString());
        key = lines.get(1);
        assertTrue(key.matches("[0-9a-f]{64}"), "32 random bytes in hex");
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, "medv.denoise.steps", "medv.answers");
        LocalStack.Settings s = new LocalStack.Settings(ROOT, ROOT.resolve("models/demo"), dir.resolve("run"),
                kafka.bootstrapServers(), 0, GRPC, HTTP, 19051 + Stack.OFFSET, 18051 + Stack.OFFSET,
                19052 + Stack.OFFSET, 18052 + Stack.OFFSET, 1, List.of(), 0, List.of());
        stack = new LocalStack(s).gatewaySecurity(new GatewaySecurity(certs.cert(), certs.key(), keys)).start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String https(String path) {
        return "https://localhost:" + HTTP + path;
    }

    /** curl's output, then its HTTP status on a last line. */
    private static Result curl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        return run(cmd, ROOT, Map.of(), 120);
    }

    private static String status(Result r) {
        return r.out().substring(r.out().lastIndexOf('\n') + 1);
    }

    @Test
    void curlNeedsTheCaAndTheKeyAndPlainHttpIsRefused() throws IOException {
        String ca = certs.ca().toString();
        Result health = curl("--cacert", ca, https("/q/health/ready"));
        assertEquals(0, health.code(), health.err());
        assertEquals("200", status(health), "health stays open: " + health.out());

        Result noKey = curl("--cacert", ca, https("/v1/models"));
        assertEquals("401", status(noKey), noKey.out());
        assertTrue(noKey.out().contains("\"code\":\"invalid_api_key\""), noKey.out());
        Result wrongKey = curl("--cacert", ca, "-H", "Authorization: Bearer not-a-key-of-the-file-0123",
                "-X", "POST", "-H", "Content-Type: application/json", "-d", ASK, https("/v1/ask"));
        assertEquals("401", status(wrongKey), wrongKey.out());
        assertTrue(wrongKey.out().contains("\"code\":\"UNAUTHENTICATED\""), wrongKey.out());

        Result models = curl("--cacert", ca, "-H", "Authorization: Bearer " + key, https("/v1/models"));
        assertEquals("200", status(models), models.out());
        assertTrue(models.out().contains("\"id\":\"demo\""), models.out());
        Result ask = curl("-N", "--cacert", ca, "-H", "Authorization: Bearer " + key, "-H",
                "Content-Type: application/json", "-d", ASK, https("/v1/ask"));
        assertEquals("200", status(ask), ask.out());
        assertTrue(ask.out().contains("event:final") || ask.out().contains("event: final"), ask.out());

        String example = Commands.blocks(Files.readString(DOC), "bash").stream().filter(b -> b.contains("curl"))
                .findFirst().orElseThrow();
        Result doc = run(List.of("bash", "-e", "-c", example.replace("localhost:8080", "localhost:" + HTTP)),
                certs.ca().getParent(), Map.of("MEDV_API_KEY", key), 60);
        assertEquals(0, doc.code(), example + "\n" + doc.err());
        assertTrue(doc.out().contains("\"id\":\"demo\""), "docs/security.md's example: " + doc.out());

        Result untrusted = run(List.of("curl", "-sS", https("/q/health/ready")), ROOT, Map.of(), 60);
        assertEquals(60, untrusted.code(), "curl verifies the server against its own CAs: " + untrusted.err());
        Result plain = run(List.of("curl", "-sS", "-w", "%{http_code}", "http://localhost:" + HTTP
                + "/q/health/ready"), ROOT, Map.of(), 60);
        assertNotEquals(0, plain.code(), "plain HTTP is not served: " + plain.out());
        assertFalse(plain.out().contains("UP"), plain.out());
    }

    /** docs/security.md's {@code ./medv ask} line, run in this JVM with the files made above and the test's port. */
    @Test
    void medvAskFromTheDocsAnswersWithTheCaAndTheKeyFile() throws IOException {
        String line = Files.readString(DOC).lines().filter(l -> l.startsWith("./medv ask --cacert")).findFirst()
                .orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(
                line.substring("./medv ".length()));
        List<String> args = new java.util.ArrayList<>();
        while (m.find()) {
            String a = m.group(1) != null ? m.group(1) : m.group(2);
            args.add(a.equals("ca.pem") ? certs.ca().toString()
                    : a.equals("api-keys") ? ROOT.resolve("e2e/target/security/api-keys").toString() : a);
        }
        args.addAll(1, List.of("--port", Integer.toString(GRPC), "--quiet", "--gen-length", "8", "--block-length", "8",
                "--steps", "8"));
        Result asked = Commands.medv(args.toArray(String[]::new));
        assertEquals(0, asked.code(), args + "\n" + asked.err());
        assertFalse(asked.out().isBlank(), "an answer: " + asked.out());

        List<String> keyless = new java.util.ArrayList<>(args);
        int file = keyless.indexOf("--api-key-file");
        keyless.remove(file + 1);
        keyless.remove(file);
        Result refused = Commands.medv(keyless.toArray(String[]::new));
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().startsWith("medv: UNAUTHENTICATED"), refused.err());
    }

    @Test
    void grpcJsStreamsWithTlsAndTheKeyAndIsRefusedWithoutIt() {
        install();
        Result r = run(List.of("node", "grpc-ask.mjs"), NODE_DIR, Map.of("MEDV_GRPC", "localhost:" + GRPC,
                "MEDV_CA", certs.ca().toString(), "MEDV_API_KEY", key,
                "MEDV_PROTO_DIR", ROOT.resolve("proto/src/main/proto").toString()), 300);
        assertEquals(0, r.code(), r.err());
        JsonObject seen = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonObject ok = seen.getAsJsonObject("withKey");
        assertEquals(0, ok.get("code").getAsInt(), ok.toString());
        JsonArray events = ok.getAsJsonArray("events");
        assertTrue(events.size() >= 2, "drafts, then the final event: " + events);
        JsonObject last = events.get(events.size() - 1).getAsJsonObject();
        assertTrue(last.get("final").getAsBoolean(), last.toString());
        assertTrue(List.of("FINISH_REASON_STOP", "FINISH_REASON_LENGTH").contains(last.get("finish_reason")
                .getAsString()), last.toString());
        for (String refused : List.of("withoutKey", "wrongKey")) {
            JsonObject e = seen.getAsJsonObject(refused);
            assertEquals(16, e.get("code").getAsInt(), "UNAUTHENTICATED: " + e);
            assertEquals(0, e.getAsJsonArray("events").size());
        }
        JsonObject plain = seen.getAsJsonObject("plaintext");
        assertEquals(14, plain.get("code").getAsInt(), "UNAVAILABLE: the port speaks TLS only: " + plain);
    }

    @Test
    void theOpenAiClientUsesTheKeyOverHttps() {
        install();
        Result r = run(List.of("node", "openai-secure.mjs"), NODE_DIR, Map.of("MEDV_BASE_URL", https("/v1"),
                "MEDV_API_KEY", key, "NODE_EXTRA_CA_CERTS", certs.ca().toString()), 300);
        assertEquals(0, r.code(), r.err());
        JsonObject seen = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("[\"demo\"]", seen.getAsJsonArray("models").toString());
        assertTrue(seen.get("chunks").getAsInt() >= 2, seen.toString());
        assertTrue(List.of("stop", "length").contains(seen.get("finish_reason").getAsString()), seen.toString());
        JsonObject wrong = seen.getAsJsonObject("wrongKey");
        assertEquals(401, wrong.get("status").getAsInt(), wrong.toString());
        assertEquals("invalid_api_key", wrong.get("code").getAsString());
        assertEquals("AuthenticationError", wrong.get("name").getAsString());
    }

    @Test
    void thePageAsksForTheKeyKeepsItInTheTabAndAnswers() throws Exception {
        Assumptions.assumeTrue(WebDriver.available(), "Debian chromium + chromium-driver are not installed");
        try (WebDriver browser = new WebDriver(stack.settings().runDir().resolve("logs"),
                List.of("--ignore-certificate-errors-spki-list=" + spkiHash(certs.cert())))) {
            browser.open(https("/"));
            browser.await("medv:update", "return document.body.dataset.model === 'needs-key';", WAIT);
            browser.type("#api-key", key);
            browser.click("#use-key");
            browser.await("medv:update", "return document.body.dataset.model === 'loaded';", WAIT);
            assertEquals(key, browser.script("return sessionStorage.getItem('medv.apiKey');", "").getAsString());
            assertEquals(0, browser.script("return localStorage.length;", "").getAsInt(), "never kept past the tab");
            assertEquals("demo", browser.text("#model-name"));
            browser.type("#question", "Is there a lesion in the left lung?" + WebDriver.CONTROL + WebDriver.ENTER);
            assertEquals("done", browser.await("medv:update", "return ['done', 'error', 'cancelled']"
                    + ".includes(document.body.dataset.state) && document.body.dataset.state;", WAIT)
                    .getAsString(), browser.text("#status"));
            assertFalse(browser.text("#answer").isBlank());
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(120);

    /** Chromium's pin for one certificate: base64 of the SHA-256 of its SubjectPublicKeyInfo. */
    private static String spkiHash(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(c.getPublicKey().getEncoded()));
        }
    }

    private static boolean installed;

    /** e2e/node's pinned clients (npm ci once per class, as OpenAiClientE2ETest does). */
    private static synchronized void install() {
        assumeTrue(run(List.of("node", "--version"), NODE_DIR, Map.of(), 30).code() == 0, "Node.js is not installed");
        if (!installed) {
            Result npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NODE_DIR, Map.of(), 300);
            assertEquals(0, npm.code(), "npm ci: " + npm.err());
            installed = true;
        }
    }
}
