package org.medv.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model directory's {@code examples/}: the image files (PNG, JPEG) a client may show and ask about, each with the
 * questions {@code examples/examples.json} suggests for it. That file is optional, a JSON array of
 * {@code {"image": "<file name in examples/>", "question": "...", "answer": "..."}} ({@code answer}, what the model
 * card says the model answers, is documentation and is not served); entries naming no listed image are ignored.
 * Read on each call: the directory is small and may change under a running gateway.
 */
final class ModelExamples {
    static final String DIR = "examples";
    static final String QUESTIONS_FILE = "examples.json";
    private static final Logger LOG = Logger.getLogger(ModelExamples.class);
    private static final Map<String, String> TYPES = Map.of("png", "image/png", "jpg", "image/jpeg",
            "jpeg", "image/jpeg");

    record Example(String name, Path file, String contentType, List<String> questions) {
    }

    private ModelExamples() {
    }

    /** The example images sorted by file name; none when the directory has no examples/. */
    static List<Example> list(Path modelDir) {
        Path dir = modelDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(f -> contentType(f) != null && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            LOG.warnf("cannot list %s: %s", dir, e.getMessage());
            return List.of();
        }
        Map<String, List<String>> questions = questions(dir.resolve(QUESTIONS_FILE));
        return images.stream().map(f -> {
            String name = f.getFileName().toString();
            return new Example(name, f, contentType(f), questions.getOrDefault(name, List.of()));
        }).toList();
    }

    /**
     * The example called exactly {@code name}: only a listed file matches, so a path ("../config.json", "a/b.png")
     * or a file that is not an image never does.
     */
    static Optional<Example> find(Path modelDir, String name) {
        return list(modelDir).stream().filter(e -> e.name().equals(name)).findFirst();
    }

    private static String contentType(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** image name -> its questions in file order; an unreadable or malformed file is logged and suggests none. */
    private static Map<String, List<String>> questions(Path file) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file));
            for (JsonElement e : root.isJsonArray() ? root.getAsJsonArray() : List.of(root)) {
                String image = text(e, "image");
                String question = text(e, "question");
                if (!root.isJsonArray() || image == null || question == null) {
                    LOG.warnf("ignoring %s: it must be an array of {\"image\", \"question\"} objects, found %s",
                            file, e);
                    return Map.of();
                }
                out.computeIfAbsent(image, k -> new ArrayList<>()).add(question);
            }
            return out;
        } catch (IOException | JsonParseException e) {
            LOG.warnf("ignoring %s: %s", file, e.getMessage());
            return Map.of();
        }
    }

    private static String text(JsonElement e, String key) {
        if (!e.isJsonObject()) {
            return null;
        }
        JsonElement v = e.getAsJsonObject().get(key);
        return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
    }
}
