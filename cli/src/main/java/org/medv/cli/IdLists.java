package org.medv.cli;

import org.medv.model.InvalidRequestException;

import java.util.ArrayList;
import java.util.List;

/** Parsing of the CLI's id lists: {@code 1,2,3}, {@code none}, and stop sequences {@code 'a,b;c'}. */
final class IdLists {
    private IdLists() {
    }

    static int[] csv(String field, String text) {
        List<Integer> ids = list(field, text);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** null for "use the model's defaults" (option absent), an empty list for {@code none}. */
    static List<Integer> optionalList(String field, String text) {
        if (text == null) {
            return null;
        }
        return text.trim().equalsIgnoreCase("none") ? List.of() : list(field, text);
    }

    static List<List<Integer>> stopSequences(String text) {
        if (text == null) {
            return null;
        }
        if (text.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        List<List<Integer>> out = new ArrayList<>();
        for (String seq : text.split(";")) {
            out.add(list("stop_ids", seq));
        }
        return out;
    }

    private static List<Integer> list(String field, String text) {
        List<Integer> ids = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new InvalidRequestException(field, field + " must be a comma-separated list of integers, got \""
                        + text + "\"");
            }
            try {
                ids.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(field, field + " must hold integers, got \"" + p + "\"");
            }
        }
        return ids;
    }
}
