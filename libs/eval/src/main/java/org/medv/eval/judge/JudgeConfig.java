package org.medv.eval.judge;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the OpenAI-compatible judge. LLaDA-MedV's scorer uses {@code gpt-4.1-mini} at temperature 0 and
 * sends batches of 3 requests; LLaVA-Med used GPT-4-0314.
 *
 * @param baseUrl        the API root; requests go to {@code {baseUrl}/chat/completions}
 * @param apiKey         sent as {@code Authorization: Bearer ...}; empty for local servers that need none
 * @param maxConcurrency requests in flight at most (waiting for a retry does not hold a slot)
 * @param maxRetries     retries after the first attempt (429, 5xx, I/O errors, malformed replies)
 * @param initialBackoff the first retry delay, doubled on each further retry unless the server sends Retry-After
 * @param rubric         the {@code [System]} instructions, see {@link Rubric}
 */
public record JudgeConfig(String baseUrl, String model, String apiKey, double temperature, int maxConcurrency,
                          int maxRetries, Duration initialBackoff, Duration requestTimeout, String rubric) {
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    public static final String DEFAULT_MODEL = "gpt-4.1-mini";

    public JudgeConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("judge baseUrl must be http(s), got '" + baseUrl + "'");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("judge model must not be blank");
        }
        apiKey = apiKey == null ? "" : apiKey;
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("judge temperature must be >= 0, got " + temperature);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("judge maxConcurrency must be >= 1, got " + maxConcurrency);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("judge maxRetries must be >= 0, got " + maxRetries);
        }
        if (initialBackoff == null || initialBackoff.isNegative()) {
            throw new IllegalArgumentException("judge initialBackoff must be >= 0, got " + initialBackoff);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("judge requestTimeout must be > 0, got " + requestTimeout);
        }
        if (rubric == null || rubric.isBlank()) {
            throw new IllegalArgumentException("judge rubric must not be blank");
        }
    }

    /** gpt-4.1-mini, temperature 0, 3 in flight, 6 retries from 1 s, 120 s per request, the bundled rubric. */
    public static JudgeConfig defaults(String baseUrl, String apiKey) {
        return new JudgeConfig(baseUrl, DEFAULT_MODEL, apiKey, 0.0, 3, 6, Duration.ofSeconds(1),
                Duration.ofSeconds(120), Rubric.defaultText());
    }

    public JudgeConfig withModel(String newModel) {
        return new JudgeConfig(baseUrl, newModel, apiKey, temperature, maxConcurrency, maxRetries, initialBackoff,
                requestTimeout, rubric);
    }

    public JudgeConfig withRubric(String newRubric) {
        return new JudgeConfig(baseUrl, model, apiKey, temperature, maxConcurrency, maxRetries, initialBackoff,
                requestTimeout, newRubric);
    }

    public JudgeConfig withMaxConcurrency(int newMaxConcurrency) {
        return new JudgeConfig(baseUrl, model, apiKey, temperature, newMaxConcurrency, maxRetries, initialBackoff,
                requestTimeout, rubric);
    }

    public JudgeConfig withRetries(int newMaxRetries, Duration newInitialBackoff) {
        return new JudgeConfig(baseUrl, model, apiKey, temperature, maxConcurrency, newMaxRetries, newInitialBackoff,
                requestTimeout, rubric);
    }

    public JudgeConfig withRequestTimeout(Duration newRequestTimeout) {
        return new JudgeConfig(baseUrl, model, apiKey, temperature, maxConcurrency, maxRetries, initialBackoff,
                newRequestTimeout, rubric);
    }

    /** The chat-completions endpoint. */
    public URI endpoint() {
        String root = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return URI.create(root + "/chat/completions");
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "JudgeConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey.isEmpty() ? "none" : "***")
                + ", temperature=" + temperature + ", maxConcurrency=" + maxConcurrency + ", maxRetries=" + maxRetries
                + ", initialBackoff=" + initialBackoff + ", requestTimeout=" + requestTimeout
                + ", rubric=" + rubric.length() + " chars]";
    }
}
