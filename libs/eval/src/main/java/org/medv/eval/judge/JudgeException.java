package org.medv.eval.judge;

/** The judge could not score an answer: a non-retryable HTTP status, or the last retry failed. The message says why. */
public class JudgeException extends RuntimeException {
    public JudgeException(String message) {
        super(message);
    }

    public JudgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
