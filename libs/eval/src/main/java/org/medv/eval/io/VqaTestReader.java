package org.medv.eval.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A LLaVA-Med-format VQA test file (VQA-RAD, SLAKE, PathVQA; reference notes §6.3): a JSON list of
 * {@code {"id", "image", "answer_type": "OPEN"|"CLOSED", "conversations": [human turn, gpt turn]}}.
 *
 * <p>As {@code run_eval_batch.py}: the turns come from {@code conversations}, else from the misspelt
 * {@code conversatons} some files use; the answer is the second turn's {@code value}. The question is the first
 * turn's {@code value} without its {@code "<image>\n"} prefix (or {@code "\n<image>"} suffix, the other placement
 * LLaVA files use). Upstream silently skips an item whose {@code answer_type} is neither OPEN nor CLOSED; here it is
 * an error, as are duplicate ids. Ids that are JSON integers become their decimal text.
 */
public final class VqaTestReader {
    private static final String IMAGE_PREFIX = "<image>\n";
    private static final String IMAGE_SUFFIX = "\n<image>";

    private VqaTestReader() {
    }

    public static List<VqaItem> read(Path file) {
        JsonElement root = Json.parseFile(file);
        if (!root.isJsonArray()) {
            throw new DataFileException(file, "expected a JSON list of questions");
        }
        JsonArray entries = root.getAsJsonArray();
        List<VqaItem> items = new ArrayList<>(entries.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            VqaItem item = item(file, "entry " + i, Json.object(file, "entry " + i, entries.get(i)));
            if (!ids.add(item.id())) {
                throw new DataFileException(file, "entry " + i + ": duplicate id " + item.id());
            }
            items.add(item);
        }
        return items;
    }

    private static VqaItem item(Path file, String where, JsonObject o) {
        String id = Json.id(file, where, o, "id");
        where = where + " (id " + id + ")";
        String image = Json.string(file, where, o, "image");
        String type = Json.string(file, where, o, "answer_type");
        AnswerType answerType = switch (type) {
            case "OPEN" -> AnswerType.OPEN;
            case "CLOSED" -> AnswerType.CLOSED;
            default -> throw new DataFileException(file, Json.prefix(where) + "answer_type must be OPEN or CLOSED, got \""
                    + type + "\"");
        };
        String key = o.has("conversations") ? "conversations" : "conversatons";
        JsonElement turnsElement = o.get(key);
        if (turnsElement == null || !turnsElement.isJsonArray() || turnsElement.getAsJsonArray().size() < 2) {
            throw new DataFileException(file, Json.prefix(where)
                    + "needs \"conversations\" (or \"conversatons\") with a human and a gpt turn");
        }
        JsonArray turns = turnsElement.getAsJsonArray();
        String question = Json.string(file, where + " " + key + "[0]", Json.object(file, where, turns.get(0)), "value");
        String answer = Json.string(file, where + " " + key + "[1]", Json.object(file, where, turns.get(1)), "value");
        String kind = o.has("question_kind") ? Json.string(file, where, o, "question_kind") : null;
        return new VqaItem(id, image, answerType, stripImageToken(question), answer, kind);
    }

    static String stripImageToken(String question) {
        if (question.startsWith(IMAGE_PREFIX)) {
            return question.substring(IMAGE_PREFIX.length());
        }
        if (question.endsWith(IMAGE_SUFFIX)) {
            return question.substring(0, question.length() - IMAGE_SUFFIX.length());
        }
        return question;
    }
}
