package org.medv.denoiser.engine;

/** The model is still loading, failed to load, or the engine is shutting down: answered UNAVAILABLE. */
public class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message) {
        super(message);
    }
}
