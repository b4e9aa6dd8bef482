package org.medv.gateway;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Generators of hostile request bodies for {@link HostileInputPropertiesTest}, each a valid request with exactly
 * one defect injected, so that the refusal must name that defect's field: an unknown key at some level, a known key
 * with a value of the wrong type or out of range, a cap exceeded, a truncated or non-object body, a malformed
 * multipart structure. QuickTheories shrinks a failing case through the random draws these generators make.
 */
final class HostileBodies {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    /** Characters for keys: letters, digits, punctuation, JSON's own specials, non-ASCII and control characters. */
    private static final String KEY_CHARS = "abcdefghijklmnopqrstuvwxyz_ABCXYZ0123456789-.:/ \"\\{}[],é中\u2591\u0000\n\t";
    private static final String FORM_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-.";

    /** One generated request: what it is, its bytes and Content-Type, and the field its refusal must name. */
    record Case(String what, byte[] body, String contentType, String field) {
        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return what + " -> field " + field + ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
        }
    }

    private HostileBodies() {
    }

    static int pick(RandomnessSource in, int n) {
        return (int) in.next(Constraint.between(0, n - 1));
    }

    static String word(RandomnessSource in, String chars, int min, int max) {
        int n = (int) in.next(Constraint.between(min, max));
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(chars.charAt(pick(in, chars.length())));
        }
        return b.toString();
    }

    /** A key that none of {@code known} is. */
    static String unknownKey(RandomnessSource in, Set<String> known, String chars) {
        String k = word(in, chars, 1, 16);
        return known.contains(k) ? k + "~" : k;
    }

    static String question(RandomnessSource in) {
        return word(in, "abcdefghij klmnop", 1, 60) + "?";
    }

    /** Any JSON value, up to {@code depth} levels of arrays and objects with random keys. */
    static JsonElement anyJson(RandomnessSource in, int depth) {
        int kind = pick(in, depth > 0 ? 6 : 4);
        return switch (kind) {
            case 0 -> new JsonPrimitive(in.next(Constraint.between(-1_000_000, 1_000_000)));
            case 1 -> new JsonPrimitive(word(in, KEY_CHARS, 0, 12));
            case 2 -> new JsonPrimitive(pick(in, 2) == 0);
            case 3 -> com.google.gson.JsonNull.INSTANCE;
            case 4 -> {
                JsonArray a = new JsonArray();
                for (int i = pick(in, 4); i > 0; i--) {
                    a.add(anyJson(in, depth - 1));
                }
                yield a;
            }
            default -> {
                JsonObject o = new JsonObject();
                for (int i = pick(in, 4); i > 0; i--) {
                    o.add(word(in, KEY_CHARS, 1, 10), anyJson(in, depth - 1));
                }
                yield o;
            }
        };
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Case json(String what, JsonElement body, String field) {
        return new Case(what, utf8(GSON.toJson(body)), "application/json", field);
    }

    /** A body that is not a JSON object, or a valid one cut short. */
    static Case notAnObject(RandomnessSource in, JsonObject valid, String field) {
        if (pick(in, 2) == 0) {
            String text = GSON.toJson(valid);
            return new Case("truncated", utf8(text.substring(0, pick(in, text.length()))), "application/json",
                    field);
        }
        JsonElement e = anyJson(in, 2);
        return e.isJsonObject() ? json("an array", new JsonArray(), field) : json("not an object", e, field);
    }

    /** {@code n} labels {@code k0: v}, ... */
    static JsonObject labels(int n) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < n; i++) {
            o.addProperty("k" + i, "v");
        }
        return o;
    }

    /** The generated JSON bodies of /v1/ask ({@link AskJson}). */
    static Gen<Case> askJson() {
        return AskJson::generate;
    }

    /** The generated multipart bodies of /v1/ask ({@link AskForm}). */
    static Gen<Case> askForm() {
        return AskForm::generate;
    }

    /** The generated bodies of /v1/chat/completions ({@link ChatJson}). */
    static Gen<Case> chat() {
        return ChatJson::generate;
    }

    /** Any JSON value, for the bodies that need not name a field. */
    static Gen<byte[]> anyJsonBody() {
        return in -> utf8(GSON.toJson(anyJson(in, 4)));
    }

    /** A valid /v1/ask JSON body with up to three random edits of its bytes (insert, delete, replace). */
    static Gen<byte[]> mutatedAsk() {
        return in -> {
            StringBuilder b = new StringBuilder(GSON.toJson(AskJson.valid(in, false)));
            for (int e = 1 + pick(in, 3); e > 0 && b.length() > 0; e--) {
                int at = pick(in, b.length());
                char c = "{}[]\":,0123456789abc \\".charAt(pick(in, 22));
                switch (pick(in, 3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> b.deleteCharAt(at);
                    default -> b.setCharAt(at, c);
                }
            }
            return utf8(b.toString());
        };
    }

    static List<String> formNames() {
        return List.of("question", "gen_length", "block_length", "steps");
    }

    static String formNameChars() {
        return FORM_NAME_CHARS;
    }

    static String keyChars() {
        return KEY_CHARS;
    }
}
