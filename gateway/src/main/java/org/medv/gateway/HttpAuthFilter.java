package org.medv.gateway;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.medv.proto.v1.ErrorInfo;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys on the HTTP port, deny by default: every path needs {@code Authorization: Bearer KEY} (the ask API, the
 * OpenAI-compatible API, the served model, anything unknown) except {@code /q/*} (health, metrics), the page's static
 * files ({@code /} and single-segment {@code .html}, {@code .js}, {@code .css}) and the model's example images
 * ({@code /v1/model/examples/*}, the page's thumbnails, which an img element fetches without headers). Runs before
 * any route, so a refused request's body is never read. An ask ({@code POST /v1/ask},
 * {@code POST /v1/chat/completions}) also takes a permit of its key's limits, held until its response ends or its
 * connection closes. Refusals: 401 with {@code WWW-Authenticate: Bearer}, 429 with {@code Retry-After}, in OpenAI's
 * error shape under {@code /v1/chat/} and {@code /v1/models}, else medv's.
 */
@ApplicationScoped
public class HttpAuthFilter {
    private final GatewaySecurity security;

    HttpAuthFilter(GatewaySecurity security) {
        this.security = security;
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, 200);
    }

    private void filter(RoutingContext rc) {
        String path = rc.normalizedPath().replaceAll("/{2,}", "/");
        if (security.open() || open(path)) {
            rc.next();
            return;
        }
        boolean openAi = path.startsWith("/v1/chat/") || path.equals("/v1/models") || path.startsWith("/v1/models/");
        Optional<String> key = security.authenticate(rc.request().getHeader("Authorization"));
        if (key.isEmpty()) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(rc, 401, openAi, GatewaySecurity.UNAUTHENTICATED, null);
            return;
        }
        if (rc.request().method() == HttpMethod.POST
                && (path.equals("/v1/ask") || path.equals("/v1/chat/completions"))) {
            KeyLimiter.Permit permit;
            try {
                permit = security.admit(key.get());
            } catch (KeyLimiter.Refused r) {
                refuse(rc, 429, openAi, r.getMessage(), r.retryAfterSeconds);
                return;
            }
            rc.addEndHandler(done -> permit.release());
        }
        rc.next();
    }

    /** What anyone may read: health and metrics, the page's own files, the model's example images. */
    static boolean open(String path) {
        return path.startsWith("/q/") || path.equals("/") || STATIC_FILE.matcher(path).matches()
                || path.startsWith(ModelResource.EXAMPLES_PATH);
    }

    private static final Pattern STATIC_FILE = Pattern.compile("/[A-Za-z0-9_-]+\\.(html|js|css)");

    private static void refuse(RoutingContext rc, int status, boolean openAi, String message, Long retryAfter) {
        String body;
        if (openAi) {
            body = OpenAiErrors.json(status == 401
                    ? new OpenAiException(401, OpenAiException.INVALID_REQUEST, null, "invalid_api_key", message)
                    : new OpenAiException(429, "rate_limit_error", null, "rate_limit_exceeded", message));
        } else {
            body = HttpErrors.json(ErrorInfo.newBuilder().setCode(status == 401 ? "UNAUTHENTICATED"
                    : "RESOURCE_EXHAUSTED").setField(status == 401 ? "Authorization" : "").setMessage(message)
                    .build());
        }
        if (retryAfter != null) {
            rc.response().putHeader("Retry-After", Long.toString(retryAfter));
        }
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
