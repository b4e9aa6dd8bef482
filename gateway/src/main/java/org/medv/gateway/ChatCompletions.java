package org.medv.gateway;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.grpc.Metadata;
import io.grpc.Status;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.Timings;
import org.medv.serving.ProtoOptions;
import org.medv.serving.Statuses;

import java.util.function.UnaryOperator;

/**
 * The JSON the OpenAI-compatible API answers with: {@code chat.completion}, {@code chat.completion.chunk},
 * {@code usage}, and the {@code medv} object every chunk carries with the diffusion state (step, total_steps, block,
 * the draft with a placeholder at each masked position).
 */
final class ChatCompletions {
    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    /** One chat request's identity in every object it answers with. */
    record Ids(String id, long created, String model) {
        JsonObject object(String type) {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("object", type);
            o.addProperty("created", created);
            o.addProperty("model", model);
            return o;
        }
    }

    private ChatCompletions() {
    }

    /** The non-streamed answer: one choice with the final text. */
    static JsonObject completion(Ids ids, AnswerEvent last, int promptTokens) {
        JsonObject message = new JsonObject();
        message.addProperty("role", "assistant");
        message.addProperty("content", last.getText());
        message.add("refusal", null);
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("message", message);
        choice.add("logprobs", null);
        choice.addProperty("finish_reason", finishReason(last.getFinishReason()));
        JsonObject c = ids.object("chat.completion");
        c.add("choices", one(choice));
        c.add("usage", usage(promptTokens, last.getOutputIdsCount()));
        c.add("medv", diffusion(last));
        return c;
    }

    /** A chunk with one choice; {@code usage} is null on it when the request asked for a usage chunk. */
    static JsonObject chunk(Ids ids, AnswerEvent e, JsonObject delta, String finishReason, boolean includeUsage) {
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("delta", delta);
        choice.add("logprobs", null);
        choice.addProperty("finish_reason", finishReason);
        JsonObject c = ids.object("chat.completion.chunk");
        c.add("choices", one(choice));
        if (includeUsage) {
            c.add("usage", null);
        }
        c.add("medv", diffusion(e));
        return c;
    }

    /** The chunk {@code stream_options.include_usage} adds before {@code [DONE]}: no choices, the usage. */
    static JsonObject usageChunk(Ids ids, AnswerEvent last, int promptTokens) {
        JsonObject c = ids.object("chat.completion.chunk");
        c.add("choices", new JsonArray());
        c.add("usage", usage(promptTokens, last.getOutputIdsCount()));
        c.add("medv", diffusion(last));
        return c;
    }

    /**
     * prompt_tokens: the prompt's positions with the image's rows; completion_tokens: the answer's ids (up to the
     * stop sequence). Every one of max_tokens positions is denoised at every step whatever the answer's length.
     */
    static JsonObject usage(int promptTokens, int completionTokens) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", promptTokens);
        u.addProperty("completion_tokens", completionTokens);
        u.addProperty("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** The diffusion state of a step: what a client needs to show the answer unmasking. */
    static JsonObject diffusion(AnswerEvent e) {
        JsonObject m = new JsonObject();
        m.addProperty("step", e.getStep());
        m.addProperty("total_steps", e.getTotalSteps());
        m.addProperty("block", e.getBlock());
        m.addProperty("draft", e.getDraft());
        m.addProperty("placeholder", e.getPlaceholder());
        if (e.getFinal()) {
            Timings t = e.getTimings();
            JsonObject timings = new JsonObject();
            timings.addProperty("queue_ms", t.getQueueMs());
            timings.addProperty("vision_ms", t.getVisionMs());
            timings.addProperty("first_step_ms", t.getFirstStepMs());
            timings.addProperty("generate_ms", t.getGenerateMs());
            timings.addProperty("total_ms", t.getTotalMs());
            timings.addProperty("steps", t.getSteps());
            m.add("timings", timings);
            m.addProperty("mode", ProtoOptions.modeName(e.getOptions()));
        }
        return m;
    }

    /** medv's finish reason in OpenAI's words; a generation cut short (cancelled, deadline) reads as length. */
    static String finishReason(FinishReason r) {
        return switch (r) {
            case FINISH_REASON_LENGTH, FINISH_REASON_CANCELLED, FINISH_REASON_DEADLINE -> "length";
            default -> "stop";
        };
    }

    /** A failed generation's error (final event with FINISH_REASON_FAILED) as an OpenAI refusal. */
    static OpenAiException failure(ErrorInfo error, UnaryOperator<String> params) {
        Status.Code code;
        try {
            code = Status.Code.valueOf(error.getCode());
        } catch (IllegalArgumentException e) {
            code = Status.Code.INTERNAL;
        }
        Metadata trailers = new Metadata();
        if (!error.getField().isEmpty()) {
            trailers.put(Statuses.FIELD, error.getField());
        }
        return OpenAiErrors.translate(Status.fromCode(code).withDescription(error.getMessage())
                .asRuntimeException(trailers), params);
    }

    private static JsonArray one(JsonObject o) {
        JsonArray a = new JsonArray();
        a.add(o);
        return a;
    }
}
