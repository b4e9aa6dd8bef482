package org.medv.e2e;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The web page in real headless Chromium: upload, ask, see a draft with placeholders, then the final text. */
class WebPageE2ETest {

    @Test
    void uploadAskWatchTheAnswerUnmask() throws Exception {
        Assumptions.assumeTrue(WebDriver.available(),
                "Debian chromium + chromium-driver are not installed (.ci/run installs them)");
        Stack stack = Stack.get();
        Path image = Files.createTempFile("scan", ".png");
        Files.write(image, Clients.png(64, 64, 11));
        try (WebDriver browser = new WebDriver(stack.services.settings().runDir().resolve("logs"))) {
            browser.open("http://localhost:" + Stack.http(0) + "/");
            browser.upload("#image", image);
            browser.type("#question", "Is there a lesion in the left lung?");
            browser.type("#gen-length", "256");
            browser.type("#block-length", "256");
            browser.type("#steps", "256");
            browser.click("#ask");
            boolean sawPlaceholder = false;
            String answer = "";
            long end = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < end) {
                String draft = browser.text("#draft");
                sawPlaceholder |= draft.contains("\u2591");
                answer = browser.text("#answer");
                if (!answer.isBlank()) {
                    break;
                }
                Thread.sleep(20);
            }
            assertTrue(sawPlaceholder, "a draft with masked placeholders was shown");
            assertFalse(answer.isBlank(), "the final answer was shown");
        }
    }
}
