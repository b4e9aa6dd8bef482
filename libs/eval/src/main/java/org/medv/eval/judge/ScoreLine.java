package org.medv.eval.judge;

import org.medv.eval.JudgeScore;

import java.util.regex.Pattern;

/**
 * Reads the judge's verdict the way the benchmark does: {@code result.strip().split('\n')[0].split(' ')} must give
 * exactly two tokens, each a number. Stricter than Python's {@code float()} in one respect: {@code nan}/{@code inf}
 * and scores outside 0..10 are rejected, and so is a zero reference score, which would make the relative score
 * (candidate / reference) undefined.
 */
public final class ScoreLine {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int EXCERPT = 120;

    private ScoreLine() {
    }

    /** The two scores (assistant 1 = reference, assistant 2 = candidate) or a {@link MalformedReplyException}. */
    public static JudgeScore parse(String reply) {
        if (reply == null || reply.isBlank()) {
            throw new MalformedReplyException("empty judge reply");
        }
        String stripped = reply.strip();
        int newline = stripped.indexOf('\n');
        String firstLine = newline < 0 ? stripped : stripped.substring(0, newline);
        String[] tokens = firstLine.split(" ", -1);
        if (tokens.length != 2) {
            throw malformed(firstLine, "expected two scores separated by a space");
        }
        double reference = score(tokens[0], firstLine);
        double candidate = score(tokens[1], firstLine);
        if (reference == 0) {
            throw malformed(firstLine, "reference score 0 makes the relative score undefined");
        }
        return new JudgeScore(reference, candidate);
    }

    private static double score(String token, String firstLine) {
        String t = token.strip(); // Python's float() ignores surrounding whitespace such as a trailing '\r'
        if (!NUMBER.matcher(t).matches()) {
            throw malformed(firstLine, "'" + excerpt(token) + "' is not a number");
        }
        double value = Double.parseDouble(t);
        if (value < 0 || value > 10) {
            throw malformed(firstLine, "score " + t + " is outside 0..10");
        }
        return value;
    }

    private static MalformedReplyException malformed(String firstLine, String why) {
        return new MalformedReplyException("malformed judge reply (" + why + "), first line: '" + excerpt(firstLine) + "'");
    }

    static String excerpt(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= EXCERPT ? oneLine : oneLine.substring(0, EXCERPT) + "...";
    }
}
