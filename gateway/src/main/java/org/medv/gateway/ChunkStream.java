package org.medv.gateway;

import com.google.gson.JsonObject;
import org.jboss.logging.Logger;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.FinishReason;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One streamed chat completion: each event of the request becomes a {@code chat.completion.chunk} whose
 * {@code delta.content} is only text that will never change again, the growth of the event's committed prefix
 * ({@link org.medv.serving.CommittedText}: decoded from the committed ids, holding back what a later id could still
 * change). So every delta extends the text before it, and the final chunk adds the rest of the answer with the
 * finish reason: the concatenated deltas are the final text. Then the usage chunk (if asked for) and
 * {@code [DONE]}. Every chunk carries the {@code medv} diffusion state.
 */
final class ChunkStream {
    private static final Logger LOG = Logger.getLogger(ChunkStream.class);
    static final String DONE = "data: [DONE]\n\n";

    private final ChatCompletions.Ids ids;
    private final boolean includeUsage;
    private final int promptTokens;
    private final UnaryOperator<String> params;
    private String sent = "";
    private boolean first = true;

    ChunkStream(ChatCompletions.Ids ids, boolean includeUsage, int promptTokens, UnaryOperator<String> params) {
        this.ids = ids;
        this.includeUsage = includeUsage;
        this.promptTokens = promptTokens;
        this.params = params;
    }

    /** The server-sent events for one event of the request ({@code data: ...} frames). */
    List<String> frames(AnswerEvent e) {
        List<String> out = new ArrayList<>();
        if (!e.getFinal()) {
            out.add(frame(ChatCompletions.chunk(ids, e, delta(grow(e.getCommittedPrefix())), null, includeUsage)));
            return out;
        }
        if (e.getFinishReason() == FinishReason.FINISH_REASON_FAILED) {
            out.add("data: " + OpenAiErrors.json(ChatCompletions.failure(e.getError(), params)) + "\n\n");
            out.add(DONE);
            return out;
        }
        String rest = finish(e.getText());
        out.add(frame(ChatCompletions.chunk(ids, e, delta(rest), ChatCompletions.finishReason(e.getFinishReason()),
                includeUsage)));
        if (includeUsage) {
            out.add(frame(ChatCompletions.usageChunk(ids, e, promptTokens)));
        }
        out.add(DONE);
        return out;
    }

    /** The new part of a draft's committed prefix (empty when it did not grow). */
    private String grow(String committed) {
        if (!committed.startsWith(sent)) {
            // CommittedText only grows; an event that does not extend what was sent adds nothing
            LOG.warnf("%s: a committed prefix did not extend the text sent; nothing added", ids.id());
            return "";
        }
        String added = committed.substring(sent.length());
        sent = committed;
        return added;
    }

    /** The rest of the final text after what was sent. */
    private String finish(String text) {
        if (text.startsWith(sent)) {
            return text.substring(sent.length());
        }
        // never expected (the committed prefix is a prefix of the answer): never retract, send what differs
        LOG.warnf("%s: the final text does not extend the text sent", ids.id());
        int common = 0;
        while (common < Math.min(text.length(), sent.length()) && text.charAt(common) == sent.charAt(common)) {
            common++;
        }
        return text.substring(common);
    }

    private JsonObject delta(String content) {
        JsonObject d = new JsonObject();
        if (first) {
            d.addProperty("role", "assistant");
            first = false;
        }
        d.addProperty("content", content);
        return d;
    }

    private static String frame(JsonObject chunk) {
        return "data: " + ChatCompletions.GSON.toJson(chunk) + "\n\n";
    }
}
