package org.medv.gateway;

import com.google.gson.JsonObject;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.medv.model.InvalidRequestException;
import org.medv.serving.Statuses;

import java.util.function.UnaryOperator;

/**
 * The OpenAI-compatible API's edge of the one error mapping ({@link Statuses}): every failure becomes
 * {@code {"error": {"message", "type", "param", "code"}}} with the HTTP status {@code Statuses.httpStatus} gives
 * (400 invalid input naming the parameter, 404 an unknown model, 429 a full denoiser queue, 503 while loading).
 * medv's field names become the parameter the client sent ({@link ChatRequest#param}).
 */
final class OpenAiErrors {
    private static final Logger LOG = Logger.getLogger(OpenAiErrors.class);

    private OpenAiErrors() {
    }

    /** Any failure as an OpenAI refusal; {@code params} maps medv's field names to the request's parameters. */
    static OpenAiException translate(Throwable t, UnaryOperator<String> params) {
        if (t instanceof OpenAiException o) {
            return o;
        }
        if (t instanceof WebApplicationException w) {
            // JAX-RS' own refusals (405, 415, ...) keep their status
            int status = w.getResponse().getStatus();
            return new OpenAiException(status, status < 500 ? OpenAiException.INVALID_REQUEST : "server_error", null,
                    null, w.getMessage() == null ? "" : w.getMessage());
        }
        if (t instanceof InvalidRequestException e) {
            return invalid(params.apply(e.field()), e.field(), e.getMessage());
        }
        StatusRuntimeException s = Statuses.toStatus(t);
        Status.Code code = s.getStatus().getCode();
        String description = s.getStatus().getDescription() == null ? "" : s.getStatus().getDescription();
        String field = s.getTrailers() == null ? null : s.getTrailers().get(Statuses.FIELD);
        int http = Statuses.httpStatus(code);
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> invalid(field == null ? null : params.apply(field), field,
                    description.replaceFirst("^invalid [a-z_]+: ", ""));
            case RESOURCE_EXHAUSTED -> new OpenAiException(http, "rate_limit_error", null, "rate_limit_exceeded",
                    description);
            case UNAVAILABLE -> new OpenAiException(http, "server_error", null, "service_unavailable", description);
            case DEADLINE_EXCEEDED -> new OpenAiException(http, "server_error", null, "timeout", description);
            case NOT_FOUND, FAILED_PRECONDITION, CANCELLED -> new OpenAiException(http,
                    OpenAiException.INVALID_REQUEST, null, null, description);
            default -> {
                LOG.warnf("internal error: %s", t.getClass().getName());
                yield new OpenAiException(500, "server_error", null, null, "internal error");
            }
        };
    }

    /** 400 for a medv field; the message names the client's parameter, and medv's name when it differs. */
    private static OpenAiException invalid(String param, String field, String message) {
        String name = param == null ? "request" : "'" + param + "'";
        if (field != null && param != null && !field.equals(param)) {
            name += " (medv's " + field + ")";
        }
        return OpenAiException.invalid(param, "Invalid " + name + ": " + message);
    }

    static Response response(OpenAiException e) {
        Response.ResponseBuilder r = Response.status(e.status).type(MediaType.APPLICATION_JSON).entity(json(e));
        if (e.status == 429 || e.status == 503) {
            r.header("Retry-After", "1");
        }
        return r.build();
    }

    /** {@code {"error": {...}}}, also the data of a stream's error event. */
    static String json(OpenAiException e) {
        JsonObject error = new JsonObject();
        error.addProperty("message", e.getMessage());
        error.addProperty("type", e.type);
        error.addProperty("param", e.param);
        error.addProperty("code", e.code);
        JsonObject root = new JsonObject();
        root.add("error", error);
        return ChatCompletions.GSON.toJson(root);
    }
}
