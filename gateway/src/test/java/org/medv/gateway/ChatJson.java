package org.medv.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.quicktheories.core.RandomnessSource;

import java.util.Set;

import static org.medv.gateway.HostileBodies.Case;
import static org.medv.gateway.HostileBodies.json;
import static org.medv.gateway.HostileBodies.pick;
import static org.medv.gateway.HostileBodies.unknownKey;

/**
 * {@code POST /v1/chat/completions} bodies: a valid chat (one user message, its content a string or a text part,
 * max_tokens 8) with one defect; {@code field} is the OpenAI {@code param} the refusal must name (null for a body
 * that is not a JSON object, whose message names the problem).
 */
final class ChatJson {
    /** Every top-level parameter the mapper knows (used, accepted at "off", or refused by name). */
    private static final Set<String> KNOWN = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
            "max_completion_tokens", "temperature", "seed", "cfg_scale", "steps", "block_length", "remasking",
            "cache", "threshold", "refresh_every", "stop", "metadata", "n", "top_p", "frequency_penalty",
            "presence_penalty", "logprobs", "logit_bias", "tools", "functions", "tool_choice", "function_call",
            "response_format", "store", "service_tier", "modalities", "user", "safety_identifier",
            "prompt_cache_key", "parallel_tool_calls", "audio", "prediction", "web_search_options",
            "reasoning_effort", "verbosity", "top_logprobs");
    private static final Set<String> MESSAGE = Set.of("role", "content", "name", "refusal", "tool_calls",
            "function_call", "audio");
    private static final Set<String> TEXT_PART = Set.of("type", "text");

    private ChatJson() {
    }

    static JsonObject valid(RandomnessSource in, boolean parts) {
        JsonObject m = new JsonObject();
        m.addProperty("role", "user");
        if (parts) {
            JsonObject part = new JsonObject();
            part.addProperty("type", "text");
            part.addProperty("text", HostileBodies.question(in));
            JsonArray content = new JsonArray();
            content.add(part);
            m.add("content", content);
        } else {
            m.addProperty("content", HostileBodies.question(in));
        }
        JsonArray messages = new JsonArray();
        messages.add(m);
        JsonObject body = new JsonObject();
        body.add("messages", messages);
        body.addProperty("max_tokens", 8);
        return body;
    }

    static Case generate(RandomnessSource in) {
        boolean parts = pick(in, 2) == 0;
        JsonObject body = valid(in, parts);
        JsonObject message = body.getAsJsonArray("messages").get(0).getAsJsonObject();
        String keys = HostileBodies.keyChars();
        switch (pick(in, 6)) {
            case 0 -> {
                String k = unknownKey(in, KNOWN, keys);
                body.addProperty(k, 1);
                return json("unknown parameter", body, HttpRequests.shown(k));
            }
            case 1 -> {
                String k = unknownKey(in, MESSAGE, keys);
                message.addProperty(k, "x");
                return json("unknown message key", body, "messages[0]." + HttpRequests.shown(k));
            }
            case 2 -> {
                JsonObject withParts = valid(in, true);
                String k = unknownKey(in, TEXT_PART, keys);
                withParts.getAsJsonArray("messages").get(0).getAsJsonObject().getAsJsonArray("content").get(0)
                        .getAsJsonObject().addProperty(k, 0);
                return json("unknown content part key", withParts, "messages[0].content[0]." + HttpRequests.shown(k));
            }
            case 3 -> {
                String[][] wrong = {{"max_tokens", "8"}, {"temperature", "hot"}, {"stream", "yes"},
                        {"seed", "s"}};
                String[] w = wrong[pick(in, wrong.length)];
                body.addProperty(w[0], w[1]);
                return json("wrong type", body, w[0]);
            }
            case 4 -> {
                if (pick(in, 2) == 0) {
                    body.add("metadata", HostileBodies.labels(17 + pick(in, 10)));
                    return json("too many metadata pairs", body, "metadata");
                }
                message.addProperty("content", "a".repeat(16385 + pick(in, 100)));
                return json("question too long", body, "messages");
            }
            default -> {
                return HostileBodies.notAnObject(in, body, null);
            }
        }
    }
}
