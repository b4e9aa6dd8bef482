package org.medv.eval.judge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.eval.ConversationItem;
import org.medv.eval.JudgeScore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The conversation benchmark's reviewer over any OpenAI-compatible {@code /chat/completions} endpoint: one request
 * per answer with the benchmark's two messages ({@link ReviewPrompt}), the first reply line parsed by
 * {@link ScoreLine}. Retries 429, 5xx, I/O errors and malformed replies with exponential backoff (or the server's
 * {@code Retry-After}); other statuses fail at once. Never blocks the calling thread; at most
 * {@link JudgeConfig#maxConcurrency()} requests are in flight.
 */
public final class JudgeClient {
    private static final Logger LOG = LoggerFactory.getLogger(JudgeClient.class);
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
    private static final int BODY_EXCERPT = 300;

    private final JudgeConfig config;
    private final HttpClient http;
    private final AsyncPermits permits;

    public JudgeClient(JudgeConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .build();
        this.permits = new AsyncPermits(config.maxConcurrency());
    }

    public JudgeConfig config() {
        return config;
    }

    /** The judge's scores for {@code candidateAnswer}; fails with a {@link JudgeException} after the last retry. */
    public CompletableFuture<JudgeScore> review(ConversationItem item, String candidateAnswer) {
        return reviewWithReply(item, candidateAnswer).thenApply(JudgeReview::score);
    }

    /** As {@link #review} but keeps the judge's explanation. Cancelling the future stops further retries. */
    public CompletableFuture<JudgeReview> reviewWithReply(ConversationItem item, String candidateAnswer) {
        HttpRequest request = request(ReviewPrompt.build(item, candidateAnswer, config.rubric()));
        CompletableFuture<JudgeReview> result = new CompletableFuture<>();
        attempt(request, item.questionId(), 1, result);
        return result;
    }

    /** The request body: the benchmark's system and user messages, the configured model and temperature. */
    JsonObject requestBody(String userContent) {
        JsonArray messages = new JsonArray();
        messages.add(message("system", ReviewPrompt.SYSTEM));
        messages.add(message("user", userContent));
        JsonObject body = new JsonObject();
        body.addProperty("model", config.model());
        body.add("messages", messages);
        body.addProperty("temperature", config.temperature());
        return body;
    }

    private HttpRequest request(String userContent) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(config.endpoint())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(userContent).toString()));
        if (!config.apiKey().isEmpty()) {
            builder.header("Authorization", "Bearer " + config.apiKey());
        }
        return builder.build();
    }

    private void attempt(HttpRequest request, String questionId, int attempt, CompletableFuture<JudgeReview> result) {
        if (result.isDone()) {
            return; // cancelled by the caller
        }
        permits.acquire()
                .thenCompose(granted -> sendHoldingPermit(request))
                .whenComplete((response, error) -> {
                    try {
                        Outcome outcome = error != null ? Outcome.retry(ioFailure(error), null) : outcome(response, attempt);
                        handle(outcome, request, questionId, attempt, result);
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
    }

    private CompletableFuture<HttpResponse<String>> sendHoldingPermit(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
        return sent.whenComplete((response, error) -> permits.release());
    }

    private void handle(Outcome outcome, HttpRequest request, String questionId, int attempt,
                        CompletableFuture<JudgeReview> result) {
        if (outcome.review() != null) {
            result.complete(outcome.review());
        } else if (!outcome.retryable()) {
            result.completeExceptionally(new JudgeException(
                    "judge request for question " + questionId + " failed with " + outcome.failure() + " (not retried)"));
        } else if (attempt > config.maxRetries()) {
            result.completeExceptionally(new JudgeException("judge request for question " + questionId
                    + " failed after " + attempt + " attempts; last failure: " + outcome.failure()));
        } else {
            Duration delay = outcome.retryAfter() != null ? outcome.retryAfter() : backoff(attempt);
            LOG.warn("judge question {} attempt {}/{}: {}; retrying in {} ms", questionId, attempt,
                    config.maxRetries() + 1, outcome.failure(), delay.toMillis());
            CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> attempt(request, questionId, attempt + 1, result));
        }
    }

    private static Outcome outcome(HttpResponse<String> response, int attempt) {
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status >= 200 && status < 300) {
            try {
                String content = content(body);
                return Outcome.success(new JudgeReview(ScoreLine.parse(content), content, attempt));
            } catch (MalformedReplyException e) {
                return Outcome.retry(e.getMessage(), null);
            }
        }
        String failure = "HTTP " + status + ": " + excerpt(body);
        if (status == 429 || status >= 500) {
            return Outcome.retry(failure, retryAfter(response.headers()).orElse(null));
        }
        return Outcome.fatal(failure);
    }

    /** {@code choices[0].message.content} of a chat-completions response. */
    static String content(String body) {
        try {
            JsonObject root = JsonParser.parseString(body).getAsJsonObject();
            JsonElement content = root.getAsJsonArray("choices").get(0).getAsJsonObject()
                    .getAsJsonObject("message").get("content");
            if (content == null || content.isJsonNull()) {
                throw new MalformedReplyException("judge reply has no message content: " + excerpt(body));
            }
            return content.getAsString();
        } catch (RuntimeException e) {
            if (e instanceof MalformedReplyException m) {
                throw m;
            }
            throw new MalformedReplyException("judge reply is not a chat completion: " + excerpt(body));
        }
    }

    /** {@code retry-after-ms} (OpenAI), else {@code Retry-After} in seconds or as an HTTP date; capped at 10 min. */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<Duration> delay = headers.firstValue("retry-after-ms").flatMap(v -> parseMillis(v.strip()));
        if (delay.isEmpty()) {
            delay = headers.firstValue("retry-after").flatMap(v -> parseRetryAfter(v.strip()));
        }
        return delay.map(d -> d.isNegative() ? Duration.ZERO : d)
                .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    }

    private static Optional<Duration> parseMillis(String value) {
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(value))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> parseRetryAfter(String value) {
        try {
            return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Optional.of(Duration.between(ZonedDateTime.now(at.getZone()), at));
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** initialBackoff x 2^(attempt - 1). */
    private Duration backoff(int attempt) {
        return config.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 16));
    }

    private static String ioFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static String excerpt(String body) {
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.isEmpty() ? "(empty body)"
                : oneLine.length() <= BODY_EXCERPT ? oneLine : oneLine.substring(0, BODY_EXCERPT) + "...";
    }

    private static JsonObject message(String role, String content) {
        JsonObject message = new JsonObject();
        message.addProperty("role", role);
        message.addProperty("content", content);
        return message;
    }

    private record Outcome(JudgeReview review, String failure, boolean retryable, Duration retryAfter) {
        static Outcome success(JudgeReview review) {
            return new Outcome(review, null, false, null);
        }

        static Outcome retry(String failure, Duration retryAfter) {
            return new Outcome(null, failure, true, retryAfter);
        }

        static Outcome fatal(String failure) {
            return new Outcome(null, failure, false, null);
        }
    }
}
