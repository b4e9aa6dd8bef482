package org.medv.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.medv.proto.v1.ChatTurn;
import org.medv.proto.v1.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI {@code messages} as medv's conversation: user and assistant turns in order, content as a string or as
 * parts (text parts of one message joined with a newline), and at most one image, an {@code image_url} part of the
 * first user message (medv puts it at the start of that turn, as LLaVA-Med was trained). System and developer
 * messages are refused: the ask API has no field for them, and medv asks with the model's own system prompt.
 * Refusals name the parameter path, e.g. {@code messages[2].content[0].type}; message text never appears in them.
 */
final class ChatMessages {
    private static final Set<String> MESSAGE_KEYS = Set.of("role", "content", "name", "refusal", "tool_calls",
            "function_call", "audio");
    private static final Set<String> TEXT_PART_KEYS = Set.of("type", "text");
    private static final Set<String> IMAGE_PART_KEYS = Set.of("type", "image_url");

    /** The turns, the image bytes (or null) and the image part's parameter path (or null). */
    record Conversation(List<ChatTurn> turns, byte[] image, String imageParam) {
    }

    private ChatMessages() {
    }

    static Conversation map(JsonElement messages, ImageUrls images) {
        if (messages == null || messages.isJsonNull()) {
            throw OpenAiException.invalid("messages", "Missing required parameter: 'messages'.");
        }
        if (!messages.isJsonArray() || messages.getAsJsonArray().isEmpty()) {
            throw OpenAiException.invalidType("messages", "a non-empty array of messages");
        }
        List<ChatTurn> turns = new ArrayList<>();
        byte[] image = null;
        String imageParam = null;
        JsonArray list = messages.getAsJsonArray();
        for (int i = 0; i < list.size(); i++) {
            String at = "messages[" + i + "]";
            if (!list.get(i).isJsonObject()) {
                throw OpenAiException.invalidType(at, "an object with role and content");
            }
            JsonObject m = list.get(i).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : m.entrySet()) {
                if (!MESSAGE_KEYS.contains(e.getKey())) {
                    String p = at + "." + HttpRequests.shown(e.getKey());
                    throw new OpenAiException(400, OpenAiException.INVALID_REQUEST, p, "unknown_parameter",
                            "Unrecognized request argument supplied: " + p);
                }
                if (Set.of("tool_calls", "function_call", "audio").contains(e.getKey()) && !isAbsent(e.getValue())) {
                    throw OpenAiException.unsupportedParameter(at + "." + e.getKey(), "is not supported: medv has "
                            + "no tools or audio.");
                }
            }
            String role = role(m, at);
            boolean user = role.equals("user");
            Parts parts = parts(m.get("content"), at + ".content", user, images);
            if (parts.image != null) {
                if (image != null) {
                    throw OpenAiException.unsupportedValue(parts.imageParam, "is a second image: medv takes one image "
                            + "per request.");
                }
                if (turns.stream().anyMatch(t -> t.getRole() == Role.ROLE_USER)) {
                    throw OpenAiException.unsupportedValue(parts.imageParam, "is not in the first user message: medv "
                            + "places the image at the start of the first user turn (as LLaVA-Med), so it must be "
                            + "attached there.");
                }
                image = parts.image;
                imageParam = parts.imageParam;
            }
            turns.add(ChatTurn.newBuilder().setRole(user ? Role.ROLE_USER : Role.ROLE_ASSISTANT)
                    .setContent(parts.text).build());
        }
        return new Conversation(turns, image, imageParam);
    }

    private static String role(JsonObject m, String at) {
        JsonElement r = m.get("role");
        if (r == null || !r.isJsonPrimitive() || !r.getAsJsonPrimitive().isString()) {
            throw OpenAiException.invalidType(at + ".role", "one of 'user' or 'assistant'");
        }
        String role = r.getAsString();
        return switch (role) {
            case "user", "assistant" -> role;
            case "system", "developer" -> throw OpenAiException.unsupportedValue(at + ".role", "'" + role
                    + "' is not supported: medv asks with the served model's own system prompt (config.json "
                    + "system_prompt) and its ask API has no field to replace it; send user and assistant "
                    + "messages only.");
            case "tool", "function" -> throw OpenAiException.unsupportedValue(at + ".role", "'" + role
                    + "' is not supported: medv has no tools.");
            default -> throw OpenAiException.invalid(at + ".role", "Invalid value for '" + at + ".role': expected "
                    + "'user' or 'assistant'.");
        };
    }

    private record Parts(String text, byte[] image, String imageParam) {
    }

    private static Parts parts(JsonElement content, String at, boolean user, ImageUrls images) {
        if (content == null || content.isJsonNull()) {
            throw OpenAiException.invalid(at, "Missing '" + at + "': medv needs the text of every message.");
        }
        if (content.isJsonPrimitive() && content.getAsJsonPrimitive().isString()) {
            return new Parts(content.getAsString(), null, null);
        }
        if (!content.isJsonArray()) {
            throw OpenAiException.invalidType(at, "a string or an array of content parts");
        }
        List<String> texts = new ArrayList<>();
        byte[] image = null;
        String imageParam = null;
        JsonArray list = content.getAsJsonArray();
        for (int j = 0; j < list.size(); j++) {
            String p = at + "[" + j + "]";
            JsonObject part = list.get(j).isJsonObject() ? list.get(j).getAsJsonObject() : null;
            String type = part != null && part.has("type") && part.get("type").isJsonPrimitive()
                    ? part.get("type").getAsString() : null;
            if (type == null) {
                throw OpenAiException.invalidType(p, "an object with a type ('text' or 'image_url')");
            }
            only(part, p, type.equals("image_url") ? IMAGE_PART_KEYS : TEXT_PART_KEYS);
            switch (type) {
                case "text" -> texts.add(string(part.get("text"), p + ".text"));
                case "image_url" -> {
                    if (!user) {
                        throw OpenAiException.unsupportedValue(p + ".type", "'image_url' is only allowed in user "
                                + "messages.");
                    }
                    if (image != null) {
                        throw OpenAiException.unsupportedValue(p, "is a second image: medv takes one image per "
                                + "request.");
                    }
                    imageParam = p + ".image_url";
                    image = images.read(url(part.get("image_url"), imageParam), imageParam + ".url");
                }
                default -> throw OpenAiException.unsupportedValue(p + ".type", "'" + type + "' is not supported: "
                        + "content parts are 'text'" + (user ? " and 'image_url'" : "") + ".");
            }
        }
        return new Parts(String.join("\n", texts), image, imageParam);
    }

    /** {@code image_url}: {"url": ..., "detail": "auto" | "low" | "high"} (detail has no effect in medv). */
    private static String url(JsonElement imageUrl, String at) {
        if (imageUrl == null || !imageUrl.isJsonObject()) {
            throw OpenAiException.invalidType(at, "an object with a url");
        }
        only(imageUrl.getAsJsonObject(), at, Set.of("url", "detail"));
        JsonElement detail = imageUrl.getAsJsonObject().get("detail");
        if (!isAbsent(detail) && !Set.of("auto", "low", "high").contains(string(detail, at + ".detail"))) {
            throw OpenAiException.invalid(at + ".detail", "Invalid value for '" + at + ".detail': expected 'auto', "
                    + "'low' or 'high'.");
        }
        return string(imageUrl.getAsJsonObject().get("url"), at + ".url");
    }

    /** Refuses a key of {@code o} outside {@code keys}, naming its path, as for the request's own parameters. */
    static void only(JsonObject o, String at, Set<String> keys) {
        for (String k : o.keySet()) {
            if (!keys.contains(k)) {
                String p = at + "." + HttpRequests.shown(k);
                throw new OpenAiException(400, OpenAiException.INVALID_REQUEST, p, "unknown_parameter",
                        "Unrecognized request argument supplied: " + p);
            }
        }
    }

    static String string(JsonElement e, String at) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw OpenAiException.invalidType(at, "a string");
        }
        return e.getAsString();
    }

    static boolean isAbsent(JsonElement e) {
        return e == null || e.isJsonNull();
    }
}
