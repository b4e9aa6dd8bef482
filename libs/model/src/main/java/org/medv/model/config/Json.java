package org.medv.model.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small typed accessors over a parsed config file; a missing required key names the file. */
final class Json {
    private final Path file;
    private final JsonObject obj;

    Json(Path file, JsonObject obj) {
        this.file = file;
        this.obj = obj;
    }

    static Json read(Path file) {
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(file));
        } catch (IOException | JsonParseException e) {
            throw new ModelLoadException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        if (!parsed.isJsonObject()) {
            throw new ModelLoadException("config " + file + " is not a JSON object but " + shown(parsed));
        }
        return new Json(file, parsed.getAsJsonObject());
    }

    static Json readIfExists(Path file) {
        return Files.isRegularFile(file) ? read(file) : null;
    }

    Path file() {
        return file;
    }

    JsonObject raw() {
        return obj;
    }

    boolean has(String key) {
        return obj.has(key) && !obj.get(key).isJsonNull();
    }

    Json child(String key) {
        if (!has(key)) {
            return null;
        }
        if (!obj.get(key).isJsonObject()) {
            throw wrongType(key, "an object");
        }
        return new Json(file, obj.getAsJsonObject(key));
    }

    int intValue(String key) {
        return asInt(key, require(key));
    }

    int intValue(String key, int fallback) {
        return has(key) ? asInt(key, obj.get(key)) : fallback;
    }

    Integer intOrNull(String key) {
        return has(key) ? asInt(key, obj.get(key)) : null;
    }

    /** A size: a required integer of at least 1. */
    int size(String key) {
        return positive(key, intValue(key));
    }

    /** A size with a default: an integer of at least 1 when present. */
    int size(String key, int fallback) {
        return has(key) ? positive(key, intValue(key)) : fallback;
    }

    double doubleValue(String key, double fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = obj.get(key);
        if (!isNumber(e) || !Double.isFinite(e.getAsDouble())) {
            throw wrongType(key, "a finite number");
        }
        return e.getAsDouble();
    }

    /** A number above 0 (an epsilon, a base) when present. */
    double positiveDouble(String key, double fallback) {
        double v = doubleValue(key, fallback);
        if (!(v > 0)) {
            throw wrongType(key, "a number above 0");
        }
        return v;
    }

    String string(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = obj.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrongType(key, "a string");
        }
        return e.getAsString();
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = obj.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrongType(key, "true or false");
        }
        return e.getAsBoolean();
    }

    JsonElement get(String key) {
        return has(key) ? obj.get(key) : null;
    }

    /** An element of {@code key} (an array item, say) as an int, or a clear error naming the key. */
    int asInt(String key, JsonElement e) {
        if (isNumber(e)) {
            try {
                return new BigDecimal(e.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException notAnInt) {
                // reported below
            }
        }
        throw new ModelLoadException("config " + file + ": \"" + key + "\" must be an integer, got " + shown(e));
    }

    ModelLoadException wrongType(String key, String expected) {
        return new ModelLoadException("config " + file + ": \"" + key + "\" must be " + expected + ", got "
                + shown(obj.get(key)));
    }

    private int positive(String key, int v) {
        if (v < 1) {
            throw new ModelLoadException("config " + file + ": \"" + key + "\" must be at least 1, got " + v);
        }
        return v;
    }

    private static boolean isNumber(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    static String shown(JsonElement e) {
        String text = String.valueOf(e);
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw new ModelLoadException("config " + file + " lacks the required key \"" + key + "\"");
        }
        return obj.get(key);
    }
}
