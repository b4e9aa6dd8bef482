package org.medv.train;

import java.nio.file.Path;

/** A training data file or one of its entries cannot be used; the message names the file and the entry. */
public final class TrainingDataException extends RuntimeException {
    public TrainingDataException(String message) {
        super(message);
    }

    public TrainingDataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error in entry {@code index} (0-based) of {@code file}, with the entry's id when it has one. */
    public static TrainingDataException entry(Path file, int index, String id, String what) {
        return new TrainingDataException(file + ": entry " + index + (id == null ? "" : " (id " + id + ")") + ": "
                + what);
    }
}
