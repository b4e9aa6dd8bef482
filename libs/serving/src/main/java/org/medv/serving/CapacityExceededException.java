package org.medv.serving;

/** The engine's queue is full: answered at once with RESOURCE_EXHAUSTED, never by waiting. */
public class CapacityExceededException extends RuntimeException {
    public CapacityExceededException(String message) {
        super(message);
    }
}
