package org.medv.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a LLaVA instruction file (LLaVA-Med / LLaVA-NeXT format):
 * <pre>{"id": "...", "image": "rel/path.png", "conversations": [{"from": "human", "value": "&lt;image&gt;\n..."},
 *  {"from": "gpt", "value": "..."}]}</pre>
 * {@code image} is optional (text-only entries).
 */
public record LlavaInstruction(String id, String image, List<Turn> conversations) {

    /** One turn: {@code from} is human / gpt (or user / assistant / system, kept as given). */
    public record Turn(String from, String value) {
    }

    /** Reads a JSON array file (or JSON Lines when the file ends in .jsonl), checking every entry. */
    public static List<LlavaInstruction> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TrainingDataException("training data file " + file + " does not exist");
        }
        List<JsonElement> raw = new ArrayList<>();
        try {
            if (file.getFileName().toString().endsWith(".jsonl")) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).isBlank()) {
                        raw.add(parseLine(file, i, lines.get(i)));
                    }
                }
            } else {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    JsonElement root = JsonParser.parseReader(r);
                    if (!root.isJsonArray()) {
                        throw new TrainingDataException(file + ": expected a JSON array of entries");
                    }
                    root.getAsJsonArray().forEach(raw::add);
                }
            }
        } catch (IOException e) {
            throw new TrainingDataException("cannot read training data file " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new TrainingDataException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        List<LlavaInstruction> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            out.add(parse(file, i, raw.get(i)));
        }
        if (out.isEmpty()) {
            throw new TrainingDataException(file + " holds no entries");
        }
        return out;
    }

    private static JsonElement parseLine(Path file, int line, String text) {
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new TrainingDataException(file + ": line " + (line + 1) + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static LlavaInstruction parse(Path file, int index, JsonElement e) {
        if (!e.isJsonObject()) {
            throw TrainingDataException.entry(file, index, null, "expected an object");
        }
        JsonObject o = e.getAsJsonObject();
        String id = o.has("id") && o.get("id").isJsonPrimitive() ? o.get("id").getAsString() : null;
        String image = null;
        if (o.has("image") && !o.get("image").isJsonNull()) {
            if (!o.get("image").isJsonPrimitive()) {
                throw TrainingDataException.entry(file, index, id, "\"image\" must be a single file name "
                        + "(multi-image entries are not supported)");
            }
            image = o.get("image").getAsString();
        }
        if (!o.has("conversations") || !o.get("conversations").isJsonArray()) {
            throw TrainingDataException.entry(file, index, id, "missing \"conversations\" array");
        }
        JsonArray conv = o.getAsJsonArray("conversations");
        List<Turn> turns = new ArrayList<>();
        for (int t = 0; t < conv.size(); t++) {
            JsonElement te = conv.get(t);
            if (!te.isJsonObject()) {
                throw TrainingDataException.entry(file, index, id, "turn " + t + " is not an object");
            }
            JsonObject turn = te.getAsJsonObject();
            // upstream accepts {from, value} and {role, content}
            String from = string(turn, "from", "role");
            String value = string(turn, "value", "content");
            if (from == null || value == null) {
                throw TrainingDataException.entry(file, index, id, "turn " + t + " needs \"from\" and \"value\"");
            }
            turns.add(new Turn(from, value));
        }
        if (turns.isEmpty()) {
            throw TrainingDataException.entry(file, index, id, "\"conversations\" is empty");
        }
        return new LlavaInstruction(id, image, List.copyOf(turns));
    }

    private static String string(JsonObject o, String key, String alternative) {
        JsonElement v = o.has(key) ? o.get(key) : o.get(alternative);
        return v == null || !v.isJsonPrimitive() ? null : v.getAsString();
    }
}
