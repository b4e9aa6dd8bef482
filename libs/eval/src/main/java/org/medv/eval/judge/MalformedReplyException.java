package org.medv.eval.judge;

/** A judge reply whose first line is not two scores separated by a space; the client retries these. */
public class MalformedReplyException extends JudgeException {
    public MalformedReplyException(String message) {
        super(message);
    }
}
