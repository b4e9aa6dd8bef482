package org.medv.eval.io;

import java.nio.file.Path;

/**
 * A dataset, prediction or caption file that cannot be read as given: the message names the file and the line (for
 * JSONL) or entry index (for JSON), so that the one bad question can be found and fixed. Nothing is ever skipped
 * instead.
 */
public class DataFileException extends RuntimeException {
    private final transient Path file;

    public DataFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public DataFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
