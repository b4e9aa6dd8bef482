package org.medv.eval.judge;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The instructions that close the review prompt ({@code [System]\n{rubric}}). The default is our own wording of the
 * benchmark's request (helpfulness, relevance, accuracy, level of detail on 1..10; first line the two scores, then an
 * explanation). To reproduce LLaVA-Med's numbers exactly, save its {@code INSTRUCT_PROMPT} to a file and load it
 * with {@link #fromFile(Path)}.
 */
public final class Rubric {
    static final String DEFAULT_RESOURCE = "/org/medv/eval/judge/default-rubric.txt";

    private Rubric() {
    }

    /** The bundled rubric ({@value #DEFAULT_RESOURCE}), without its trailing newline. */
    public static String defaultText() {
        try (InputStream in = Rubric.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + DEFAULT_RESOURCE);
            }
            return stripTrailingNewlines(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    /**
     * A rubric from a user file. A {@code .json} file must be an object with a string {@code "prompt"} (the layout
     * of LLaVA's {@code rule.json} entries); any other file is taken verbatim except for trailing newlines, which the
     * prompt template adds itself.
     */
    public static String fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read rubric file " + file, e);
        }
        if (file.getFileName().toString().endsWith(".json")) {
            text = promptOf(text, file);
        }
        String rubric = stripTrailingNewlines(text);
        if (rubric.isBlank()) {
            throw new IllegalArgumentException("rubric file " + file + " is empty");
        }
        return rubric;
    }

    private static String promptOf(String json, Path file) {
        try {
            JsonElement root = JsonParser.parseString(json);
            JsonObject object = root.isJsonObject() ? root.getAsJsonObject() : null;
            JsonElement prompt = object == null ? null : object.get("prompt");
            if (prompt == null || !prompt.isJsonPrimitive()) {
                throw new IllegalArgumentException("rubric file " + file + " has no string field \"prompt\"");
            }
            return prompt.getAsString();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("rubric file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
