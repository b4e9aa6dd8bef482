package org.medv.evaluator;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.medv.eval.QuestionResult;

import java.nio.charset.StandardCharsets;

/**
 * {@code medv.scores} records: key {@code run_id/question_id}, value the QuestionResult as JSON, header
 * {@value #REQUEST_ID_HEADER} the answer's request id.
 */
final class ScoreCodec {
    /** Header of a score record: the request id of the answer it scores (to recognise a redelivery). */
    static final String REQUEST_ID_HEADER = "medv-request-id";
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private ScoreCodec() {
    }

    static String key(QuestionResult r) {
        return r.runId() + "/" + r.questionId();
    }

    static byte[] encode(QuestionResult r) {
        return GSON.toJson(r).getBytes(StandardCharsets.UTF_8);
    }

    static QuestionResult decode(byte[] value) {
        return GSON.fromJson(new String(value, StandardCharsets.UTF_8), QuestionResult.class);
    }
}
