package org.medv.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.quicktheories.core.RandomnessSource;

import java.util.Set;

import static org.medv.gateway.HostileBodies.Case;
import static org.medv.gateway.HostileBodies.json;
import static org.medv.gateway.HostileBodies.pick;
import static org.medv.gateway.HostileBodies.unknownKey;
import static org.medv.gateway.HostileBodies.word;

/** {@code POST /v1/ask} JSON bodies: a valid request (question or conversation, options, labels) and one defect. */
final class AskJson {
    private static final Set<String> ROOT = Set.of("image", "question", "conversation", "options", "metadata");
    private static final Set<String> TURN = Set.of("role", "content");
    private static final Set<String> METADATA = Set.of("correlation_id", "labels");

    private AskJson() {
    }

    static JsonObject valid(RandomnessSource in, boolean conversation) {
        JsonObject body = new JsonObject();
        if (conversation) {
            JsonArray turns = new JsonArray();
            int n = 1 + 2 * pick(in, 3);
            for (int i = 0; i < n; i++) {
                JsonObject t = new JsonObject();
                t.addProperty("role", i % 2 == 0 ? "user" : "assistant");
                t.addProperty("content", HostileBodies.question(in));
                turns.add(t);
            }
            body.add("conversation", turns);
        } else {
            body.addProperty("question", HostileBodies.question(in));
        }
        JsonObject options = new JsonObject();
        options.addProperty("gen_length", 8);
        options.addProperty("block_length", 8);
        options.addProperty("steps", 4);
        body.add("options", options);
        JsonObject metadata = new JsonObject();
        metadata.add("labels", HostileBodies.labels(pick(in, 4)));
        body.add("metadata", metadata);
        return body;
    }

    static Case generate(RandomnessSource in) {
        boolean conversation = pick(in, 2) == 0;
        JsonObject body = valid(in, conversation);
        String keys = HostileBodies.keyChars();
        switch (pick(in, 8)) {
            case 0 -> {
                String k = unknownKey(in, ROOT, keys);
                body.add(k, HostileBodies.anyJson(in, 1));
                return json("unknown top-level key", body, HttpRequests.shown(k));
            }
            case 1 -> {
                String k = unknownKey(in, HttpRequests.OPTION_FIELDS, keys);
                body.getAsJsonObject("options").addProperty(k, 1);
                return json("unknown option", body, "options." + HttpRequests.shown(k));
            }
            case 2 -> {
                String k = unknownKey(in, METADATA, keys);
                body.getAsJsonObject("metadata").addProperty(k, "x");
                return json("unknown metadata key", body, "metadata." + HttpRequests.shown(k));
            }
            case 3 -> {
                JsonObject withTurns = valid(in, true);
                JsonArray turns = withTurns.getAsJsonArray("conversation");
                int i = pick(in, turns.size());
                String k = unknownKey(in, TURN, keys);
                turns.get(i).getAsJsonObject().addProperty(k, true);
                return json("unknown turn key", withTurns, "conversation[" + i + "]." + HttpRequests.shown(k));
            }
            case 4 -> {
                String[] fields = {"question", "options", "metadata", "labels", "image"};
                String f = fields[pick(in, fields.length)];
                JsonArray wrong = new JsonArray();
                wrong.add(1);
                JsonObject target = f.equals("labels") ? body.getAsJsonObject("metadata") : body;
                target.add(f, f.equals("options") || f.equals("metadata") || f.equals("labels") ? wrong
                        : new JsonObject());
                if (f.equals("question") && conversation) {
                    body.remove("conversation");
                }
                return json("wrong type", body, f);
            }
            case 5 -> {
                String[][] bad = {{"gen_length", "x" + word(in, "0123456789", 0, 3)}, {"temperature", "hot"},
                        {"seed", "1.5"}, {"remasking", word(in, "abcdefg_", 1, 12)}, {"cache", "full"},
                        {"refresh_every", "often"}};
                String[] b = bad[pick(in, bad.length)];
                body.getAsJsonObject("options").addProperty(b[0], b[1]);
                return json("bad option value", body, b[0]);
            }
            case 6 -> {
                switch (pick(in, 3)) {
                    case 0 -> {
                        body.remove("conversation");
                        body.addProperty("question", "a".repeat(16385 + pick(in, 100)));
                        return json("question too long", body, "question");
                    }
                    case 1 -> {
                        body.getAsJsonObject("metadata").add("labels", HostileBodies.labels(17 + pick(in, 10)));
                        return json("too many labels", body, "labels");
                    }
                    default -> {
                        JsonArray turns = new JsonArray();
                        for (int i = 0; i < 65 + 2 * pick(in, 5); i++) {
                            JsonObject t = new JsonObject();
                            t.addProperty("role", i % 2 == 0 ? "user" : "assistant");
                            t.addProperty("content", "t");
                            turns.add(t);
                        }
                        body.remove("question");
                        body.add("conversation", turns);
                        return json("too many turns", body, "conversation");
                    }
                }
            }
            default -> {
                return HostileBodies.notAnObject(in, body, "body");
            }
        }
    }
}
