package org.medv.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Clients nobody here wrote (node, npm, curl), run as child processes. */
final class Commands {
    private Commands() {
    }

    record Result(int code, String out, String err) {
    }

    /** {@code ./medv ARGS} in this JVM ({@code Main.run}): exit code, stdout, stderr. */
    static Result medv(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.medv.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a command to its end (output to files, so a chatty child never blocks on a full pipe). */
    static Result run(List<String> command, Path dir, Map<String, String> env, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile("e2e-command", ".out");
            Path err = Files.createTempFile("e2e-command", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return new Result(-1, "", e.getMessage());
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-2, Files.readString(out), "timed out after " + timeoutSeconds + " s: "
                        + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The bodies of a markdown text's fenced code blocks in {@code lang}, in order. */
    static List<String> blocks(String markdown, String lang) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
