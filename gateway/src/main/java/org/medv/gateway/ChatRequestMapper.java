package org.medv.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import jakarta.enterprise.context.ApplicationScoped;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.GenerationOptions;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /v1/chat/completions} body as medv's {@link AskRequest}. Every parameter is either used, accepted
 * at the value that means "off" (OpenAI's defaults: {@code n} 1, {@code top_p} 1, penalties 0, no tools, ...), or
 * refused with 400 naming it; unknown parameters are refused as OpenAI does. medv's sampler options come as extra
 * body fields: {@code steps}, {@code block_length}, {@code cfg_scale}, {@code remasking} and the decoding mode's
 * {@code cache}, {@code threshold}, {@code refresh_every} (with the standard {@code temperature}, {@code seed},
 * {@code stop} and {@code max_tokens}). The gateway's planner then validates the result as for every other entry
 * point. gateway/README.md lists each parameter's treatment.
 */
@ApplicationScoped
class ChatRequestMapper {
    /** The parameters the switch in {@link #map} reads (the others are {@link #NO_EFFECT} and {@link #ABSENT_ONLY}). */
    private static final Set<String> PARAMETERS = Set.of("model", "messages", "stream", "stream_options",
            "max_tokens", "max_completion_tokens", "temperature", "seed", "cfg_scale", "steps", "block_length",
            "remasking", "cache", "threshold", "refresh_every", "stop", "metadata", "n", "top_p", "frequency_penalty",
            "presence_penalty", "logprobs", "logit_bias", "tools", "functions", "tool_choice", "function_call",
            "response_format", "store", "service_tier", "modalities");
    /** Accepted and without effect here: end-user ids (never logged) and hints that change nothing in medv. */
    private static final Set<String> NO_EFFECT = Set.of("user", "safety_identifier", "prompt_cache_key",
            "parallel_tool_calls");
    /** Refused unless absent or null: features medv does not have. */
    private static final Map<String, String> ABSENT_ONLY = Map.of(
            "audio", "is not supported: medv answers in text.",
            "prediction", "is not supported: medv has no predicted outputs.",
            "web_search_options", "is not supported: medv does not search the web.",
            "reasoning_effort", "is not supported: medv is not a reasoning model.",
            "verbosity", "is not supported: set max_tokens for the answer length.",
            "top_logprobs", "is not supported: medv returns no logprobs.");

    private final ModelHolder models;
    private final ServedModel served;
    private final ImageUrls images;

    ChatRequestMapper(ModelHolder models, ServedModel served, ImageUrls images) {
        this.models = models;
        this.served = served;
        this.images = images;
    }

    ChatRequest map(String body) {
        JsonObject root = parse(body);
        var defaults = models.model().generationDefaults();
        GenerationOptions.Builder o = GenerationOptions.newBuilder();
        AskRequest.Builder ask = AskRequest.newBuilder();
        boolean stream = false;
        JsonObject streamOptions = null;
        Integer maxTokens = null;
        String lengthParam = "max_tokens";
        ChatMessages.Conversation conversation = null;
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String k = e.getKey();
            JsonElement v = e.getValue();
            if (!PARAMETERS.contains(k) && !NO_EFFECT.contains(k) && !ABSENT_ONLY.containsKey(k)) {
                // unknown even when null, as OpenAI refuses it
                String p = HttpRequests.shown(k);
                throw new OpenAiException(400, OpenAiException.INVALID_REQUEST, p, "unknown_parameter",
                        "Unrecognized request argument supplied: " + p);
            }
            if (ChatMessages.isAbsent(v) && !k.equals("messages")) {
                continue;
            }
            switch (k) {
                case "model" -> {
                    String model = ChatMessages.string(v, k);
                    if (!model.equals(served.id())) {
                        throw OpenAiException.modelNotFound(model, served.id());
                    }
                }
                case "messages" -> conversation = ChatMessages.map(v, images);
                case "stream" -> stream = bool(v, k);
                case "stream_options" -> streamOptions = object(v, k);
                case "max_tokens", "max_completion_tokens" -> {
                    int n = integer(v, k);
                    if (maxTokens != null && maxTokens != n) {
                        throw OpenAiException.invalid(k, "Invalid '" + k + "': max_tokens and max_completion_tokens "
                                + "differ; give one.");
                    }
                    maxTokens = n;
                    lengthParam = k;
                }
                case "temperature" -> o.setTemperature(number(v, k));
                case "seed" -> o.setSeed(longInteger(v, k));
                case "cfg_scale" -> o.setCfgScale(number(v, k));
                case "steps" -> o.setSteps(integer(v, k));
                case "block_length" -> o.setBlockLength(integer(v, k));
                case "remasking", "cache" -> HttpRequests.option(o, k, ChatMessages.string(v, k));
                case "threshold" -> o.setThreshold(number(v, k));
                case "refresh_every" -> o.setRefreshEvery(integer(v, k));
                case "stop" -> stops(o, v);
                case "metadata" -> ask.setMetadata(metadata(v));
                case "n" -> only(k, v, 1, "must be 1: medv returns one choice.");
                case "top_p" -> only(k, v, 1, "must be 1: medv samples from the whole distribution.");
                case "frequency_penalty", "presence_penalty" -> only(k, v, 0, "must be 0: medv has no penalties.");
                case "logprobs" -> {
                    if (bool(v, k)) {
                        throw OpenAiException.unsupportedValue(k, "must be false: medv returns no logprobs.");
                    }
                }
                case "logit_bias" -> {
                    if (!object(v, k).isEmpty()) {
                        throw OpenAiException.unsupportedParameter(k, "is not supported.");
                    }
                }
                case "tools", "functions" -> {
                    if (!v.isJsonArray() || !v.getAsJsonArray().isEmpty()) {
                        throw OpenAiException.unsupportedParameter(k, "is not supported: medv has no tools.");
                    }
                }
                case "tool_choice", "function_call" -> {
                    if (!v.isJsonPrimitive() || !v.getAsString().equals("none")) {
                        throw OpenAiException.unsupportedParameter(k, "is not supported: medv has no tools.");
                    }
                }
                case "response_format" -> {
                    ChatMessages.only(object(v, k), k, Set.of("type"));
                    JsonElement type = object(v, k).get("type");
                    if (type == null || !type.isJsonPrimitive() || !type.getAsString().equals("text")) {
                        throw OpenAiException.unsupportedValue(k, "must be {\"type\": \"text\"}: medv answers in "
                                + "plain text.");
                    }
                }
                case "store" -> {
                    if (bool(v, k)) {
                        throw OpenAiException.unsupportedValue(k, "must be false: medv stores no completions.");
                    }
                }
                case "service_tier" -> {
                    if (!Set.of("auto", "default").contains(ChatMessages.string(v, k))) {
                        throw OpenAiException.unsupportedValue(k, "must be 'auto' or 'default'.");
                    }
                }
                case "modalities" -> {
                    if (!v.isJsonArray() || !v.getAsJsonArray().asList().stream()
                            .allMatch(m -> m.isJsonPrimitive() && m.getAsString().equals("text"))) {
                        throw OpenAiException.unsupportedValue(k, "must be [\"text\"]: medv answers in text.");
                    }
                }
                default -> {
                    if (ABSENT_ONLY.containsKey(k)) {
                        throw OpenAiException.unsupportedParameter(k, ABSENT_ONLY.get(k));
                    }
                }
            }
        }
        if (conversation == null) {
            throw OpenAiException.invalid("messages", "Missing required parameter: 'messages'.");
        }
        boolean includeUsage = false;
        if (streamOptions != null) {
            if (!stream) {
                throw OpenAiException.invalid("stream_options", "The 'stream_options' parameter is only allowed when "
                        + "'stream' is enabled.");
            }
            includeUsage = streamOptions(streamOptions);
        }
        AnswerLength.apply(o, maxTokens, lengthParam, defaults);
        ask.addAllConversation(conversation.turns()).setOptions(o);
        if (conversation.image() != null) {
            ask.setImage(ByteString.copyFrom(conversation.image()));
        }
        return new ChatRequest(ask.build(), stream, includeUsage, conversation.imageParam(), lengthParam);
    }

    private static JsonObject parse(String body) {
        try {
            JsonElement e = JsonParser.parseString(body == null ? "" : body);
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException e) {
            // answered below
        }
        throw OpenAiException.invalid(null, "We could not parse the JSON body of your request: send a JSON object "
                + "(Content-Type: application/json).");
    }

    /** {@code include_usage} is used; {@code include_obfuscation} (random padding) is accepted and not added. */
    private static boolean streamOptions(JsonObject options) {
        boolean usage = false;
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
            String p = "stream_options." + e.getKey();
            switch (e.getKey()) {
                case "include_usage" -> usage = !ChatMessages.isAbsent(e.getValue()) && bool(e.getValue(), p);
                case "include_obfuscation" -> bool(e.getValue(), p);
                default -> throw new OpenAiException(400, OpenAiException.INVALID_REQUEST, HttpRequests.shown(p),
                        "unknown_parameter", "Unrecognized request argument supplied: " + HttpRequests.shown(p));
            }
        }
        return usage;
    }

    private static void stops(GenerationOptions.Builder o, JsonElement v) {
        List<JsonElement> list = v.isJsonArray() ? v.getAsJsonArray().asList() : List.of(v);
        if (list.size() > 4) {
            throw OpenAiException.invalid("stop", "Invalid 'stop': at most 4 stop sequences, got " + list.size() + ".");
        }
        for (JsonElement s : list) {
            o.addStop(ChatMessages.string(s, "stop"));
        }
    }

    /** OpenAI's metadata (string values) becomes the labels carried to medv.answers (never logged). */
    private static ClientMetadata metadata(JsonElement v) {
        ClientMetadata.Builder m = ClientMetadata.newBuilder();
        for (Map.Entry<String, JsonElement> e : object(v, "metadata").entrySet()) {
            m.putLabels(e.getKey(), ChatMessages.string(e.getValue(), "metadata." + e.getKey()));
        }
        return m.build();
    }

    private static void only(String k, JsonElement v, double allowed, String why) {
        if (number(v, k) != allowed) {
            throw OpenAiException.unsupportedValue(k, why);
        }
    }

    private static boolean bool(JsonElement v, String k) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
            throw OpenAiException.invalidType(k, "a boolean");
        }
        return v.getAsBoolean();
    }

    private static double number(JsonElement v, String k) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw OpenAiException.invalidType(k, "a number");
        }
        return v.getAsDouble();
    }

    private static long longInteger(JsonElement v, String k) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(v.getAsDouble())
                || Math.abs(v.getAsDouble()) > 9.0e18) {
            throw OpenAiException.invalidType(k, "an integer");
        }
        return v.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
    }

    private static int integer(JsonElement v, String k) {
        long n = longInteger(v, k);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw OpenAiException.invalid(k, "Invalid '" + k + "': " + n + " is out of range.");
        }
        return (int) n;
    }

    private static JsonObject object(JsonElement v, String k) {
        if (!v.isJsonObject()) {
            throw OpenAiException.invalidType(k, "an object");
        }
        return v.getAsJsonObject();
    }
}
