package org.medv.e2e;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.FinishReason;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page in real headless Chromium against the packaged stack: an example scan, drafts unmasking, the final
 * answer, Cancel, an uploaded file. The tests wait on the page's "medv:update" events and read what the page shows;
 * they never depend on what the demo model answers. Screenshots are left in {@code e2e/target/web-page.png}
 * (docs/images/web-page.png is a copy of it) and {@code web-page-phone.png}.
 */
class WebPageE2ETest {
    /** Generous: the waits end on the page's events, and a loaded two-core machine runs a step in seconds. */
    static final Duration WAIT = Duration.ofSeconds(300);
    static final String PAGE_EVENT = "medv:update";
    static final String FINISHED = "return ['done', 'cancelled', 'error'].includes(document.body.dataset.state)"
            + " && document.body.dataset.state;";

    private Stack stack;
    private WebDriver browser;

    @BeforeEach
    void open() throws IOException {
        Assumptions.assumeTrue(WebDriver.available(),
                "Debian chromium + chromium-driver are not installed (.ci/run installs them)");
        stack = Stack.get();
        browser = new WebDriver(stack.services.settings().runDir().resolve("logs"));
        browser.windowSize(1200, 1500);
        browser.open("http://localhost:" + Stack.http(0) + "/");
        browser.await(PAGE_EVENT, "return document.body.dataset.model === 'loaded';", WAIT);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anExampleScanIsOneClickAwayAndItsAnswerUnmasksDraftByDraft() throws Exception {
        JsonObject model = modelInfo();
        assertEquals(model.getAsJsonArray("examples").size(),
                count("#examples button"), "one button per example scan");
        browser.click("#examples button[data-name='mri-left-right.png']");
        awaitPreview();
        assertEquals("Which modality is this?", value("#question"), "the example's first question is suggested");
        assertEquals(3, count("#suggestions button"));
        browser.click("#advanced summary");
        JsonObject defaults = model.getAsJsonObject("defaults");
        assertEquals(defaults.get("gen_length").getAsString(), value("#gen-length"), "prefilled with the defaults");
        assertEquals(defaults.get("steps").getAsString(), value("#steps"));
        assertEquals(defaults.get("remasking").getAsString(), value("#remasking"));
        // no stop sequence: every step runs, so drafts keep coming whatever the model says
        options(32, 16, 32);
        browser.click("#no-stop");
        browser.click("#ask");
        assertEquals("done", browser.await(PAGE_EVENT, FINISHED, WAIT).getAsString(), browser.text("#status"));

        List<String> drafts = drafts();
        assertTrue(new LinkedHashSet<>(drafts).size() >= 2, "at least two different drafts: " + drafts);
        assertTrue(drafts.get(0).contains("\u2591"), "the first draft has masked positions: " + drafts.get(0));
        assertFalse(browser.text("#answer").isBlank(), "the final answer is shown");
        assertEquals(32, count("#draft span.tok"), "one token per answer position");
        assertEquals(0, count("#draft span.tok.mask"), "nothing masked at the end");
        assertTrue(browser.text("#timings").contains("total"), browser.text("#timings"));
        assertEquals("32 steps", browser.text("#progress-text"));
        assertEquals(1, count("#history li.done"));

        // phone width: one column, nothing wider than the screen
        browser.windowSize(390, 1500);
        assertTrue(browser.script("return document.documentElement.scrollWidth <= window.innerWidth;", "")
                .getAsBoolean(), "no horizontal scrolling at phone width");
        Files.write(Stack.repoRoot().resolve("e2e/target/web-page-phone.png"), browser.screenshot());
    }

    @Test
    void suggestedQuestionsAreAskedWithTheDefaultsAndTheHistoryAsksAgain() throws Exception {
        browser.click("#examples button[data-name='mri-left-right.png']");
        awaitPreview();
        browser.click("#suggestions li:nth-child(3) button");
        assertEquals("How many lesions are there?", value("#question"));
        browser.click("#ask");
        assertEquals("done", browser.await(PAGE_EVENT, FINISHED, WAIT).getAsString(), browser.text("#status"));

        browser.click("#examples button[data-name='ct-normal.png']");
        awaitPreview();
        browser.type("#question", "Is this scan normal?");
        browser.click("#history li:first-child button");
        assertEquals("How many lesions are there?", value("#question"), "Ask again restores the question");
        assertEquals("mri-left-right.png", browser.script("return document.querySelector("
                + "\"#examples button[aria-pressed='true']\").dataset.name;", "").getAsString(), "and the image");

        browser.click("#suggestions li:nth-child(1) button");
        assertEquals("Which modality is this?", value("#question"));
        browser.click("#ask");
        assertEquals("done", browser.await(PAGE_EVENT, FINISHED, WAIT).getAsString(), browser.text("#status"));
        assertEquals(2, count("#history li.done"));
        assertTrue(browser.text("#history li:first-child").startsWith("Which modality is this?"),
                "newest first: " + browser.text("#history"));
        browser.script("document.getElementById('trace').open = true; window.scrollTo(0, 0);", "");
        Files.write(Stack.repoRoot().resolve("e2e/target/web-page.png"), browser.screenshot());
    }

    @Test
    void cancelStopsTheStreamAndTheGenerationOnTheServer() throws Exception {
        browser.click("#examples button[data-name='xray-left-upper.png']");
        awaitPreview();
        assertEquals("Which side are the lesions on?", value("#question"));
        browser.click("#advanced summary");
        options(256, 256, 256);
        browser.click("#no-stop");
        browser.click("#ask");
        browser.await(PAGE_EVENT, "return document.querySelectorAll('#draft-log li').length > 0;", WAIT);
        browser.click("#cancel");
        assertEquals("cancelled", browser.await(PAGE_EVENT, FINISHED, WAIT).getAsString());
        assertTrue(browser.text("#status").startsWith("Cancelled at step"), browser.text("#status"));
        assertTrue(count("#draft span.tok.mask") > 0, "the last draft still has masked positions");
        assertTrue(count("#draft span.tok.new") > 0, "the latest step's tokens are highlighted");
        assertEquals(1, count("#history li.cancelled"));

        String requestId = browser.script("return document.getElementById('output').dataset.requestId;", "")
                .getAsString();
        AnswerRecord record = Clients.awaitAnswer(requestId, Duration.ofSeconds(60));
        assertEquals(FinishReason.FINISH_REASON_CANCELLED, record.getFinishReason());
        assertTrue(record.getTimings().getSteps() < 256, "stopped early: " + record.getTimings().getSteps());
        Path log = stack.services.settings().runDir().resolve("logs/gateway-" + Stack.grpc(0) + ".log");
        assertTrue(Files.readString(log).contains("request " + requestId + ": client gone, cancelling"),
                "the gateway saw the page leave");
    }

    @Test
    void anUploadedFileIsPreviewedAndAskedAbout() throws Exception {
        Path image = Files.createTempFile("scan", ".png");
        Files.write(image, Clients.png(64, 64, 11));
        browser.upload("#image", image);
        browser.await(PAGE_EVENT, "const p = document.getElementById('preview');"
                + " return !p.hidden && p.complete && p.naturalWidth === 64;", WAIT);
        assertEquals(image.getFileName().toString(), browser.text("#image-name"));
        assertEquals(0, count("#examples button[aria-pressed='true']"), "no example is selected");
        browser.click("#advanced summary");
        options(16, 16, 16);
        assertEquals("none", value("#cache"), "prefilled with the model's decoding mode");
        browser.script("document.getElementById('cache').value = arguments[0];", "dual");
        // keyboard: Ctrl+Enter in the question asks
        browser.type("#question", "Is there a lesion in the left lung?" + WebDriver.CONTROL + WebDriver.ENTER);
        assertEquals("done", browser.await(PAGE_EVENT, FINISHED, WAIT).getAsString(), browser.text("#status"));
        assertFalse(drafts().isEmpty(), "drafts were shown");
        assertFalse(browser.text("#answer").isBlank(), "the final answer is shown");
        assertEquals(1, count("#history li.done img"), "the history shows the uploaded image");
        assertTrue(browser.text("#timings").contains("dual"), "the final event's mode: " + browser.text("#timings"));
        assertTrue(browser.text("#history li:first-child").contains("dual"), browser.text("#history"));
        String requestId = browser.script("return document.getElementById('output').dataset.requestId;", "")
                .getAsString();
        assertEquals(org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL,
                Clients.awaitAnswer(requestId, Duration.ofSeconds(60)).getOptions().getCache(),
                "the answer record says which mode ran");
    }

    private void awaitPreview() {
        browser.await(PAGE_EVENT, "const p = document.getElementById('preview');"
                + " return !p.hidden && p.complete && p.naturalWidth > 0;", WAIT);
    }

    private void options(int gen, int block, int steps) {
        browser.type("#gen-length", Integer.toString(gen));
        browser.type("#block-length", Integer.toString(block));
        browser.type("#steps", Integer.toString(steps));
    }

    private int count(String css) {
        return browser.script("return document.querySelectorAll(arguments[0]).length;", css).getAsInt();
    }

    private String value(String css) {
        return browser.script("return document.querySelector(arguments[0]).value;", css).getAsString();
    }

    /** The texts of the drafts the page received, in order (its "Every draft received" list). */
    private List<String> drafts() {
        List<String> out = new ArrayList<>();
        for (JsonElement e : browser.script("return Array.from(document.querySelectorAll('#draft-log li'),"
                + " li => li.textContent);", "").getAsJsonArray()) {
            out.add(e.getAsString());
        }
        return out;
    }

    private static JsonObject modelInfo() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + Stack.http(0) + "/v1/model")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }
}
