package org.medv.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recomputes an answer from metadata.json alone, independently of {@link QuestionGenerator}: sides and levels come
 * from the pixel geometry (patient's left = image right half, x >= size / 2), not from the categorical fields.
 */
final class AnswerOracle {
    private static final Pattern SIDE_CLOSED = Pattern.compile("Is there a lesion in the (left|right) (lung|hemisphere)\\?");

    private AnswerOracle() {
    }

    static String answer(String question, JsonObject image, int size) {
        String modality = image.get("modality").getAsString();
        List<JsonObject> lesions = new ArrayList<>();
        for (JsonElement e : image.getAsJsonArray("lesions")) {
            lesions.add(e.getAsJsonObject());
        }
        int n = lesions.size();
        boolean left = lesions.stream().anyMatch(l -> l.get("x").getAsDouble() >= size / 2.0);
        boolean right = lesions.stream().anyMatch(l -> l.get("x").getAsDouble() < size / 2.0);
        Matcher side = SIDE_CLOSED.matcher(question);
        if (side.matches()) {
            String organ = modality.equals("mri") ? "hemisphere" : "lung";
            if (!side.group(2).equals(organ)) {
                throw new AssertionError("organ " + side.group(2) + " asked about a " + modality + " image");
            }
            return yesNo(side.group(1).equals("left") ? left : right);
        }
        return switch (question) {
            case "Is this a CT scan?" -> yesNo(modality.equals("ct"));
            case "Is this an X-ray?" -> yesNo(modality.equals("x-ray"));
            case "Is this an MRI scan?" -> yesNo(modality.equals("mri"));
            case "Which modality is this?" -> modality;
            case "Is there a lesion in the image?" -> yesNo(n > 0);
            case "Is this scan normal?" -> yesNo(n == 0);
            case "Is there more than one lesion?" -> yesNo(n > 1);
            case "How many lesions are there?" -> Integer.toString(n);
            case "Which side are the lesions on?" ->
                    left && right ? "both" : left ? "left" : right ? "right" : "none";
            case "Is the lesion large?" -> yesNo(only(lesions).get("size").getAsString().equals("large"));
            case "How large is the lesion?" -> only(lesions).get("size").getAsString();
            case "Is the lesion in the upper half of the image?" -> yesNo(upper(only(lesions), size));
            case "Is the lesion in the upper or lower half of the image?" -> upper(only(lesions), size) ? "upper" : "lower";
            case "Is the lesion brighter than the surrounding tissue?" ->
                    yesNo(only(lesions).get("contrast").getAsString().equals("bright"));
            case "Is the lesion bright or dark?" -> only(lesions).get("contrast").getAsString();
            case "Describe the findings.", "Describe the findings in this image.", "What are the findings?",
                 "Write a short report of this scan." -> report(modality, lesions, size);
            default -> throw new AssertionError("unknown question: " + question);
        };
    }

    /** The findings report, lesions sorted by pixel position: upper half first, then the image's left half first. */
    private static String report(String modality, List<JsonObject> lesions, int size) {
        String organ = modality.equals("mri") ? "hemisphere" : "lung";
        String head = switch (modality) {
            case "ct" -> "CT of the chest.";
            case "x-ray" -> "X-ray of the chest.";
            default -> "MRI of the brain.";
        };
        if (lesions.isEmpty()) {
            return head + " No lesion is seen; the scan is normal.";
        }
        List<JsonObject> sorted = new ArrayList<>(lesions);
        sorted.sort(Comparator.<JsonObject>comparingInt(l -> upper(l, size) ? 0 : 1)
                .thenComparingDouble(l -> l.get("x").getAsDouble()));
        List<String> parts = new ArrayList<>();
        for (JsonObject l : sorted) {
            parts.add("a " + l.get("size").getAsString() + " " + l.get("contrast").getAsString() + " lesion in the "
                    + (l.get("x").getAsDouble() >= size / 2.0 ? "left" : "right") + " "
                    + (upper(l, size) ? "upper" : "lower") + " " + organ);
        }
        String count = List.of("One lesion", "Two lesions", "Three lesions").get(lesions.size() - 1);
        return head + " " + count + ": " + String.join(", ", parts) + ".";
    }

    static JsonObject byImage(JsonArray images, String name) {
        for (JsonElement e : images) {
            if (e.getAsJsonObject().get("image").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no metadata for " + name);
    }

    private static boolean upper(JsonObject lesion, int size) {
        return lesion.get("y").getAsDouble() < size / 2.0;
    }

    private static JsonObject only(List<JsonObject> lesions) {
        if (lesions.size() != 1) {
            throw new AssertionError("a single-lesion question about " + lesions.size() + " lesions");
        }
        return lesions.get(0);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
