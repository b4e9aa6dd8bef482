package org.medv.eval.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.medv.eval.ConversationItem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * LLaVA-Med's conversation benchmark, {@code llava_med_eval_qa50_qa.jsonl} (193 lines; reference notes §6.2), as
 * v1.0.0's {@code eval_multimodal_chat_gpt_score.py} and LLaDA-MedV's {@code eval_vlm_chat_gpt_score.py} use it:
 * the question is {@code text[:-8]}, i.e. without its trailing {@code "\n<image>"} (a text not ending so is an
 * error rather than silently cut), {@code in_text_mention} is kept as its Python repr, and the domain is the first
 * true of {@link #DOMAIN_PRECEDENCE}.
 */
public final class ConversationBenchmarkReader {
    /** The order in which the review summary assigns an item with several true domains. */
    public static final List<String> DOMAIN_PRECEDENCE = List.of("chest_xray", "mri", "histology", "gross", "ct_scan");
    private static final String IMAGE_SUFFIX = "\n<image>";

    private ConversationBenchmarkReader() {
    }

    public static List<ConversationItem> read(Path file) {
        List<ConversationItem> items = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonLines.Line line : JsonLines.read(file)) {
            ConversationItem item = item(file, line.where(), line.object());
            if (!ids.add(item.questionId())) {
                throw new DataFileException(file, line.where() + ": duplicate question_id " + item.questionId());
            }
            items.add(item);
        }
        return items;
    }

    private static ConversationItem item(Path file, String where, JsonObject o) {
        String id = Json.id(file, where, o, "question_id");
        where = where + " (question_id " + id + ")";
        String text = Json.string(file, where, o, "text");
        if (!text.endsWith(IMAGE_SUFFIX)) {
            throw new DataFileException(file, where + ": \"text\" must end with \"\\n<image>\" (v1.0.0 cuts 8 chars)");
        }
        String question = text.substring(0, text.length() - IMAGE_SUFFIX.length());
        if (!o.has("in_text_mention")) {
            throw new DataFileException(file, where + ": missing \"in_text_mention\" (a list or null)");
        }
        return new ConversationItem(id, Json.string(file, where, o, "image"), question,
                Json.string(file, where, o, "gpt4_answer"), Json.string(file, where, o, "fig_caption"),
                Json.string(file, where, o, "fig_label"), PythonRepr.of(o.get("in_text_mention")),
                Json.string(file, where, o, "type"), domain(file, where, o.get("domain")));
    }

    /** The first true flag of {@code domain} in {@link #DOMAIN_PRECEDENCE}. */
    static String domain(Path file, String where, JsonElement domain) {
        if (domain == null || !domain.isJsonObject()) {
            throw new DataFileException(file, where + ": \"domain\" must be an object of booleans, got " + domain);
        }
        JsonObject flags = domain.getAsJsonObject();
        for (String name : DOMAIN_PRECEDENCE) {
            JsonElement flag = flags.get(name);
            if (flag != null && flag.isJsonPrimitive() && flag.getAsJsonPrimitive().isBoolean() && flag.getAsBoolean()) {
                return name;
            }
        }
        throw new DataFileException(file, where + ": no true flag among " + DOMAIN_PRECEDENCE + " in " + domain);
    }
}
