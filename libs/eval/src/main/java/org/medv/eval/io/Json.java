package org.medv.eval.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Strict JSON parsing (as Python's {@code json.loads}: no single quotes, comments or trailing text, which Gson's
 * {@code JsonParser} would accept) and typed field access whose errors say where in the file the value is.
 */
final class Json {
    private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);

    private Json() {
    }

    /** Parses one JSON document; {@code where} (e.g. "line 7") prefixes any error. */
    static JsonElement parse(Path file, String where, String text) {
        return parse(file, where, new StringReader(text));
    }

    /** Parses a whole file as one JSON document (UTF-8). */
    static JsonElement parseFile(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file, "", reader);
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonElement parse(Path file, String where, Reader text) {
        try {
            JsonReader reader = new JsonReader(text);
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = ELEMENT.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new DataFileException(file, prefix(where) + "text after the JSON value");
            }
            return element;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new DataFileException(file, prefix(where) + "malformed JSON: " + e.getMessage(), e);
        }
    }

    /** A required string field. */
    static String string(Path file, String where, JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new DataFileException(file, prefix(where) + "\"" + key + "\" must be a string, got " + v);
        }
        return v.getAsString();
    }

    /** A required id: a JSON string, or a JSON integer written as in the file (e.g. VQA-RAD's {@code "id": 5}). */
    static String id(Path file, String where, JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v != null && v.isJsonPrimitive() && (v.getAsJsonPrimitive().isString()
                || v.getAsJsonPrimitive().isNumber() && v.getAsString().matches("-?\\d+"))) {
            return v.getAsString();
        }
        throw new DataFileException(file, prefix(where) + "\"" + key + "\" must be a string or an integer, got " + v);
    }

    /** A required object (a JSON object line or entry). */
    static JsonObject object(Path file, String where, JsonElement e) {
        if (e == null || !e.isJsonObject()) {
            throw new DataFileException(file, prefix(where) + "expected a JSON object, got " + abbreviate(e));
        }
        return e.getAsJsonObject();
    }

    static String prefix(String where) {
        return where.isEmpty() ? "" : where + ": ";
    }

    private static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
