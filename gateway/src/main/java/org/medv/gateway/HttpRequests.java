package org.medv.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import org.medv.model.InvalidRequestException;
import org.medv.model.sampler.CacheMode;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ChatTurn;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Remasking;
import org.medv.proto.v1.Role;
import org.medv.proto.v1.TokenIds;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HTTP forms of an {@link AskRequest}: multipart fields and the JSON body. Both end in the same proto request,
 * so the gateway validates them (and words its errors) exactly as for gRPC. {@code forbid_ids} is a comma list or
 * {@code none} (form or JSON string) or a JSON array ({@code []} = none); absent or null keeps the model's.
 * {@code cache} is {@code none|prefix|dual}; {@code threshold} and {@code refresh_every} are numbers whose limits the
 * planner checks ({@link org.medv.model.sampler.GenerationOptions}), naming the field.
 */
final class HttpRequests {
    static final Set<String> OPTION_FIELDS = Set.of("gen_length", "block_length", "steps", "temperature", "seed",
            "cfg_scale", "remasking", "stop", "stop_ids", "no_stop", "forbid_ids", "cache", "threshold",
            "refresh_every");
    private static final Set<String> ROOT_FIELDS = Set.of("image", "question", "conversation", "options", "metadata");
    private static final Set<String> TURN_FIELDS = Set.of("role", "content");
    private static final Set<String> METADATA_FIELDS = Set.of("correlation_id", "labels");

    private HttpRequests() {
    }

    /** Multipart: option fields as text; empty fields count as unset (a browser form sends them all). */
    static AskRequest fromForm(byte[] image, String question, Map<String, String> options, List<String> stops) {
        GenerationOptions.Builder o = GenerationOptions.newBuilder();
        options.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                option(o, k, v.strip());
            }
        });
        if (stops != null) {
            stops.stream().filter(s -> !s.isEmpty()).forEach(o::addStop);
        }
        return AskRequest.newBuilder()
                .setImage(image == null ? ByteString.EMPTY : ByteString.copyFrom(image))
                .setQuestion(question == null ? "" : question)
                .setOptions(o)
                .build();
    }

    /**
     * {"image": base64, "question": ..., "conversation": [...], "options": {...}, "metadata": {...}}. Every object
     * is checked for unknown keys (refused naming the key's path, as OpenAI's API refuses unknown parameters).
     */
    static AskRequest fromJson(String body) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(body == null ? "" : body);
            if (!e.isJsonObject()) {
                throw new InvalidRequestException("body", "the body must be a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new InvalidRequestException("body", "the body is not valid JSON");
        }
        known(root, "", ROOT_FIELDS);
        AskRequest.Builder r = AskRequest.newBuilder();
        if (present(root, "image")) {
            r.setImage(ByteString.copyFrom(base64(text(root.get("image"), "image"))));
        }
        if (present(root, "question")) {
            r.setQuestion(text(root.get("question"), "question"));
        }
        if (present(root, "conversation")) {
            int i = 0;
            for (JsonElement t : array(root.get("conversation"), "conversation")) {
                String at = "conversation[" + i++ + "]";
                JsonObject turn = object(t, at);
                known(turn, at + ".", TURN_FIELDS);
                r.addConversation(ChatTurn.newBuilder().setRole(role(turn.get("role"), at + ".role"))
                        .setContent(present(turn, "content") ? text(turn.get("content"), at + ".content") : ""));
            }
        }
        if (present(root, "options")) {
            r.setOptions(options(object(root.get("options"), "options")));
        }
        if (present(root, "metadata")) {
            JsonObject m = object(root.get("metadata"), "metadata");
            known(m, "metadata.", METADATA_FIELDS);
            ClientMetadata.Builder md = ClientMetadata.newBuilder();
            if (present(m, "correlation_id")) {
                md.setCorrelationId(text(m.get("correlation_id"), "correlation_id"));
            }
            if (present(m, "labels")) {
                object(m.get("labels"), "labels").entrySet()
                        .forEach(e -> md.putLabels(e.getKey(), text(e.getValue(), "labels")));
            }
            r.setMetadata(md);
        }
        return r.build();
    }

    private static GenerationOptions options(JsonObject options) {
        GenerationOptions.Builder o = GenerationOptions.newBuilder();
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
            String k = e.getKey();
            JsonElement v = e.getValue();
            if (!OPTION_FIELDS.contains(k)) {
                String shown = shown(k);
                throw new InvalidRequestException("options." + shown, "unknown option '" + shown + "'; known: "
                        + String.join(", ", new TreeSet<>(OPTION_FIELDS)));
            }
            if (v.isJsonNull()) {
                continue;
            }
            if (k.equals("stop")) {
                if (v.isJsonArray()) {
                    v.getAsJsonArray().forEach(s -> o.addStop(text(s, "stop")));
                } else {
                    o.addStop(text(v, "stop"));
                }
            } else if (k.equals("forbid_ids") && v.isJsonArray()) {
                TokenIds.Builder ids = TokenIds.newBuilder();
                array(v, k).forEach(id -> ids.addIds(integer(text(id, k), k)));
                o.setForbidIds(ids);
            } else if (k.equals("stop_ids")) {
                for (JsonElement seq : array(v, "stop_ids")) {
                    TokenIds.Builder ids = TokenIds.newBuilder();
                    array(seq, "stop_ids").forEach(id -> ids.addIds(integer(text(id, "stop_ids"), "stop_ids")));
                    o.addStopIds(ids);
                }
            } else {
                option(o, k, text(v, k));
            }
        }
        return o.build();
    }

    /** Refuses a key of {@code o} that is not in {@code fields}, naming its path ({@code prefix} + key). */
    private static void known(JsonObject o, String prefix, Set<String> fields) {
        for (String k : o.keySet()) {
            if (!fields.contains(k)) {
                String shown = shown(k);
                String hint = prefix.isEmpty() && OPTION_FIELDS.contains(k) ? "; sampler options go inside "
                        + "\"options\"" : "";
                throw new InvalidRequestException(prefix + shown, "unknown field '" + prefix + shown + "'" + hint
                        + "; known: " + String.join(", ", new TreeSet<>(fields)));
            }
        }
    }

    private static boolean present(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    /** A client's key as a message may show it: printable ASCII, at most 64 characters. */
    static String shown(String key) {
        String s = key.replaceAll("[^\\x20-\\x7e]", "?");
        return s.length() > 64 ? s.substring(0, 61) + "..." : s;
    }

    /** One option given as text (a form field or a JSON scalar). */
    static void option(GenerationOptions.Builder o, String name, String v) {
        switch (name) {
            case "gen_length" -> o.setGenLength(integer(v, name));
            case "block_length" -> o.setBlockLength(integer(v, name));
            case "steps" -> o.setSteps(integer(v, name));
            case "temperature" -> o.setTemperature(number(v, name));
            case "cfg_scale" -> o.setCfgScale(number(v, name));
            case "seed" -> o.setSeed(longInteger(v, name));
            case "remasking" -> o.setRemasking(remasking(v));
            case "stop" -> o.addStop(v);
            case "no_stop" -> o.setNoStop(Boolean.parseBoolean(v));
            case "forbid_ids" -> o.setForbidIds(idList(v, name));
            case "cache" -> o.setCache(cache(v));
            case "threshold" -> o.setThreshold(number(v, name));
            case "refresh_every" -> o.setRefreshEvery(integer(v, name));
            default -> throw new InvalidRequestException("options." + shown(name), "unknown option '"
                    + shown(name) + "'; known: " + String.join(", ", new TreeSet<>(OPTION_FIELDS)));
        }
    }

    /** {@code 1,2,3}, or {@code none} for an empty (set) list. */
    private static TokenIds idList(String v, String field) {
        TokenIds.Builder ids = TokenIds.newBuilder();
        if (!v.equalsIgnoreCase("none")) {
            for (String part : v.split(",", -1)) {
                ids.addIds(integer(part.strip(), field));
            }
        }
        return ids.build();
    }

    private static Remasking remasking(String v) {
        String s = v.toLowerCase(Locale.ROOT).replaceFirst("^remasking_", "");
        return switch (s) {
            case "low_confidence" -> Remasking.REMASKING_LOW_CONFIDENCE;
            case "random" -> Remasking.REMASKING_RANDOM;
            default -> throw new InvalidRequestException("remasking", "remasking must be low_confidence or random, got '"
                    + v + "'");
        };
    }

    /** {@code none}, {@code prefix} or {@code dual} (also the final event's {@code CACHE_MODE_DUAL} form). */
    private static org.medv.proto.v1.CacheMode cache(String v) {
        return switch (CacheMode.parse(v.replaceFirst("(?i)^cache_mode_", ""))) {
            case NONE -> org.medv.proto.v1.CacheMode.CACHE_MODE_NONE;
            case PREFIX -> org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX;
            case DUAL -> org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL;
        };
    }

    private static Role role(JsonElement e, String at) {
        String r = e == null || e.isJsonNull() ? "" : text(e, at).toLowerCase(Locale.ROOT);
        return switch (r.replaceFirst("^role_", "")) {
            case "user" -> Role.ROLE_USER;
            case "assistant" -> Role.ROLE_ASSISTANT;
            default -> throw new InvalidRequestException(at, "each turn needs role user or assistant, got '"
                    + shown(r) + "'");
        };
    }

    private static byte[] base64(String s) {
        int comma = s.startsWith("data:") ? s.indexOf(',') : -1;
        try {
            return Base64.getMimeDecoder().decode(s.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("image", "the image must be base64 (optionally a data: URL)");
        }
    }

    private static int integer(String v, String field) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, field + " must be an integer, got '" + v + "'");
        }
    }

    private static long longInteger(String v, String field) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, field + " must be an integer, got '" + v + "'");
        }
    }

    private static double number(String v, String field) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, field + " must be a number, got '" + v + "'");
        }
    }

    private static String text(JsonElement e, String field) {
        if (e == null || !e.isJsonPrimitive()) {
            throw new InvalidRequestException(field, field + " must be a string or number");
        }
        return e.getAsString();
    }

    private static JsonObject object(JsonElement e, String field) {
        if (e == null || !e.isJsonObject()) {
            throw new InvalidRequestException(field, field + " must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static Iterable<JsonElement> array(JsonElement e, String field) {
        if (e == null || !e.isJsonArray()) {
            throw new InvalidRequestException(field, field + " must be a JSON array");
        }
        return e.getAsJsonArray();
    }
}
