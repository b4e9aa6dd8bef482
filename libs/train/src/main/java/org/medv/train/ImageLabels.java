package org.medv.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per-image categorical labels, the data of the {@link Stage#VISION vision stage} ({@code medv data synth} writes
 * them as {@code train_labels.json}):
 * <pre>
 * [{"image": "train_00000.png", "labels": {"modality": "ct", "left_upper": "none", "right_lower": "small_dark"}}, ...]
 * </pre>
 * Every entry names the same labels. A label's classes are the distinct values it takes in the file, sorted, so the
 * same file always gives the same class indices.
 *
 * @param names   the label names, in the order of the first entry
 * @param classes each label's classes (sorted), aligned with {@code names}
 * @param entries the images with each label's class index, in file order
 */
public record ImageLabels(List<String> names, List<List<String>> classes, List<Entry> entries) {
    /** One image and the class index of each label (aligned with {@link #names()}). */
    public record Entry(Path image, int[] classes) {
    }

    public ImageLabels {
        names = List.copyOf(names);
        classes = classes.stream().map(List::copyOf).toList();
        entries = List.copyOf(entries);
    }

    /** Total classes over all labels: the width of the classification head. */
    public int totalClasses() {
        return classes.stream().mapToInt(List::size).sum();
    }

    /** Reads {@code file}; images resolve against {@code imageDir} (or the file's directory when null). */
    public static ImageLabels read(Path file, Path imageDir) {
        JsonArray root;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file));
            if (!parsed.isJsonArray()) {
                throw new TrainingDataException(file + ": expected a JSON array of {\"image\", \"labels\"} objects"
                        + " (stage vision reads per-image labels, e.g. train_labels.json of medv data synth)");
            }
            root = parsed.getAsJsonArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof TrainingDataException t) {
                throw t;
            }
            throw new TrainingDataException("cannot read image labels " + file + ": " + e.getMessage(), e);
        }
        if (root.isEmpty()) {
            throw new TrainingDataException(file + " has no entries");
        }
        Path dir = imageDir != null ? imageDir : file.toAbsolutePath().getParent();
        List<String> names = null;
        List<Path> images = new ArrayList<>();
        List<String[]> values = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            Map<String, String> labels = entry(file, i, root.get(i));
            if (names == null) {
                names = List.copyOf(labels.keySet());
            } else if (!labels.keySet().equals(new java.util.HashSet<>(names))) {
                throw new TrainingDataException(file + " entry " + i + " has labels " + labels.keySet()
                        + ", entry 0 has " + names + ": every entry must name the same labels");
            }
            String[] v = new String[names.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = labels.get(names.get(k));
            }
            values.add(v);
            images.add(dir.resolve(root.get(i).getAsJsonObject().get("image").getAsString()));
        }
        List<List<String>> classes = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            TreeSet<String> distinct = new TreeSet<>();
            for (String[] v : values) {
                distinct.add(v[k]);
            }
            classes.add(List.copyOf(distinct));
        }
        List<Entry> entries = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            int[] idx = new int[names.size()];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = classes.get(k).indexOf(values.get(i)[k]);
            }
            entries.add(new Entry(images.get(i), idx));
        }
        return new ImageLabels(names, classes, entries);
    }

    private static Map<String, String> entry(Path file, int i, JsonElement e) {
        String where = file + " entry " + i;
        if (!e.isJsonObject()) {
            throw new TrainingDataException(where + " is not an object");
        }
        JsonObject o = e.getAsJsonObject();
        if (!o.has("image") || !o.get("image").isJsonPrimitive()) {
            throw new TrainingDataException(where + " has no \"image\" file name");
        }
        if (!o.has("labels") || !o.get("labels").isJsonObject() || o.getAsJsonObject("labels").isEmpty()) {
            throw new TrainingDataException(where + " has no \"labels\" object (label name to class, e.g. "
                    + "{\"modality\": \"ct\"}; stage vision reads per-image labels such as the train_labels.json "
                    + "of medv data synth, not conversations)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> l : o.getAsJsonObject("labels").entrySet()) {
            if (!l.getValue().isJsonPrimitive()) {
                throw new TrainingDataException(where + ": label \"" + l.getKey() + "\" must be a string");
            }
            out.put(l.getKey(), l.getValue().getAsString());
        }
        return out;
    }
}
