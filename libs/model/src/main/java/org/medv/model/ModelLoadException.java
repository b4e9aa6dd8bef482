package org.medv.model;

/** A model directory, checkpoint file, config or tokenizer that cannot be loaded; the message names the file. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
