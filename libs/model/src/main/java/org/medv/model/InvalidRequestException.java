package org.medv.model;

/**
 * A request the model cannot serve as given (bad option combination, oversized prompt, unreadable image). The
 * message names the field and the limit, so that services can return it verbatim as INVALID_ARGUMENT / HTTP 400.
 */
public class InvalidRequestException extends RuntimeException {
    private final String field;

    public InvalidRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public InvalidRequestException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code gen_length} or {@code image}. */
    public String field() {
        return field;
    }
}
