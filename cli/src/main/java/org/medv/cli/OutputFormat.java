package org.medv.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.medv.model.InvalidRequestException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code --format text|json} of every command that prints a result, and the JSON they share: with {@code json},
 * exactly one object on stdout and everything else (logs, progress, per-step lines) on stderr, so that
 * {@code ./medv X --format json | jq} always parses.
 */
final class OutputFormat {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    @Option(names = "--format", paramLabel = "text|json",
            description = "text, or json: one JSON object on stdout, logs on stderr (default ${DEFAULT-VALUE})")
    String format = "text";

    /** True for json, false for text; anything else is an invalid request naming the flag. */
    boolean json() {
        return switch (format) {
            case "json" -> true;
            case "text" -> false;
            default -> throw new InvalidRequestException("format", "--format must be text or json, got " + format);
        };
    }

    /** Where a command's human-readable lines go: stdout for text, stderr when stdout holds the JSON. */
    PrintWriter log(CommandSpec spec) {
        return json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    /** Prints the one object on one line. */
    static void print(PrintWriter out, JsonObject o) {
        out.println(GSON.toJson(o));
        out.flush();
    }

    /**
     * The fields an answer has wherever it was made ({@code generate} in-process, {@code ask} through the gateway):
     * {@code output_ids}, {@code text} (when known), {@code finish_reason} (lower case, {@code FINISH_REASON_}
     * dropped: {@code stop}, {@code length}, ...) and {@code steps}.
     */
    static JsonObject answer(JsonArray outputIds, String text, String finishReason, int steps) {
        JsonObject o = new JsonObject();
        o.add("output_ids", outputIds);
        if (text != null) {
            o.addProperty("text", text);
        }
        o.addProperty("finish_reason", finishReason.replaceFirst("^FINISH_REASON_", "").toLowerCase(Locale.ROOT));
        o.addProperty("steps", steps);
        return o;
    }

    /** {@code timing.ms_per_step}: the denoising time over the steps run (0 without steps). */
    static double msPerStep(long generateMs, int steps) {
        return steps == 0 ? 0.0 : (double) generateMs / steps;
    }

    static JsonArray ids(Iterable<Integer> ids) {
        JsonArray a = new JsonArray();
        ids.forEach(a::add);
        return a;
    }

    static JsonArray ids(int[] ids) {
        JsonArray a = new JsonArray();
        for (int id : ids) {
            a.add(id);
        }
        return a;
    }
}
