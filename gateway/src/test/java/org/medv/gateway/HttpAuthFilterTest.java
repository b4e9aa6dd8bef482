package org.medv.gateway;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which HTTP paths stay open with API keys on: a short allow-list, everything else needs a key. */
class HttpAuthFilterTest {

    @Test
    void healthMetricsThePageAndTheExampleImagesAreOpen() {
        for (String p : new String[] {"/", "/index.html", "/page.js", "/stream.js", "/app.css", "/q/health",
                "/q/health/ready", "/q/metrics", "/v1/model/examples/mri-left-right.png"}) {
            assertTrue(HttpAuthFilter.open(p), p);
        }
    }

    @Test
    void everythingElseNeedsAKey() {
        for (String p : new String[] {"/v1/ask", "/v1/chat/completions", "/v1/models", "/v1/models/demo",
                "/v1/model", "/v1/model/", "/v1/x.js", "/a/b.css", "/unknown", "/index.htm", "/q", "/v1/"}) {
            assertFalse(HttpAuthFilter.open(p), p);
        }
    }
}
