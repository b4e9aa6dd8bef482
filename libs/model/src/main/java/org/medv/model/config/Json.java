package org.medv.model.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;

import java.io.IOException;
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
        try {
            return new Json(file, JsonParser.parseString(Files.readString(file)).getAsJsonObject());
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read config " + file + ": " + e.getMessage(), e);
        }
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
        return has(key) ? new Json(file, obj.getAsJsonObject(key)) : null;
    }

    int intValue(String key) {
        return require(key).getAsInt();
    }

    int intValue(String key, int fallback) {
        return has(key) ? obj.get(key).getAsInt() : fallback;
    }

    Integer intOrNull(String key) {
        return has(key) && obj.get(key).isJsonPrimitive() ? obj.get(key).getAsInt() : null;
    }

    double doubleValue(String key, double fallback) {
        return has(key) ? obj.get(key).getAsDouble() : fallback;
    }

    String string(String key, String fallback) {
        return has(key) ? obj.get(key).getAsString() : fallback;
    }

    boolean bool(String key, boolean fallback) {
        return has(key) ? obj.get(key).getAsBoolean() : fallback;
    }

    JsonElement get(String key) {
        return has(key) ? obj.get(key) : null;
    }

    private JsonElement require(String key) {
        if (!has(key)) {
            throw new ModelLoadException("config " + file + " lacks the required key \"" + key + "\"");
        }
        return obj.get(key);
    }
}
