package org.medv.denoiser.engine;

/** A request id that is queued, running or recently finished: answered ALREADY_EXISTS. */
public class DuplicateRequestException extends RuntimeException {
    public DuplicateRequestException(String message) {
        super(message);
    }
}
