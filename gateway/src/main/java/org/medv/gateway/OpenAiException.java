package org.medv.gateway;

/**
 * A refusal of the OpenAI-compatible API, carried to the edge in OpenAI's error shape (see {@link OpenAiErrors}):
 * the HTTP status, the error type, the request parameter at fault (or null) and a code (or null).
 */
final class OpenAiException extends RuntimeException {
    static final String INVALID_REQUEST = "invalid_request_error";

    final int status;
    final String type;
    final String param;
    final String code;

    OpenAiException(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** A value medv cannot take: 400, naming the parameter and the limit. */
    static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, INVALID_REQUEST, param, "invalid_value", message);
    }

    /** A value of the wrong JSON type. */
    static OpenAiException invalidType(String param, String expected) {
        return new OpenAiException(400, INVALID_REQUEST, param, "invalid_type",
                "Invalid type for '" + param + "': expected " + expected + ".");
    }

    /** A parameter OpenAI defines that medv does not implement (tools, logprobs, ...). */
    static OpenAiException unsupportedParameter(String param, String why) {
        return new OpenAiException(400, INVALID_REQUEST, param, "unsupported_parameter",
                "Unsupported parameter: '" + param + "' " + why);
    }

    /** A value of a known parameter that medv does not implement (n=2, response_format json, ...). */
    static OpenAiException unsupportedValue(String param, String why) {
        return new OpenAiException(400, INVALID_REQUEST, param, "unsupported_value",
                "Unsupported value: '" + param + "' " + why);
    }

    static OpenAiException modelNotFound(String model, String served) {
        return new OpenAiException(404, INVALID_REQUEST, "model", "model_not_found", "The model '" + model
                + "' does not exist: this server serves '" + served + "' (GET /v1/models).");
    }
}
