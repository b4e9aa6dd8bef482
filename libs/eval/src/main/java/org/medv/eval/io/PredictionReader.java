package org.medv.eval.io;

import com.google.gson.JsonObject;
import org.medv.eval.Prediction;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A prediction JSONL file: {@code question_id} and the answer in {@code text} (LLaVA-Med's {@code model_vqa_med.py})
 * or {@code answer} (LLaDA-MedV's chat answers). Other keys ({@code prompt}, {@code answer_id}, {@code model_id},
 * {@code metadata}) are ignored. A line with both answer keys holding different strings is ambiguous and an error;
 * so are duplicate ids.
 */
public final class PredictionReader {

    private PredictionReader() {
    }

    public static List<Prediction> read(Path file) {
        List<Prediction> predictions = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonLines.Line line : JsonLines.read(file)) {
            JsonObject o = line.object();
            String id = Json.id(file, line.where(), o, "question_id");
            String text = answer(file, line.where(), o);
            if (!ids.add(id)) {
                throw new DataFileException(file, line.where() + ": duplicate question_id " + id);
            }
            predictions.add(new Prediction(id, text));
        }
        return predictions;
    }

    private static String answer(Path file, String where, JsonObject o) {
        boolean hasText = o.has("text");
        boolean hasAnswer = o.has("answer");
        if (!hasText && !hasAnswer) {
            throw new DataFileException(file, where + ": needs \"text\" or \"answer\"");
        }
        String text = hasText ? Json.string(file, where, o, "text") : null;
        String answer = hasAnswer ? Json.string(file, where, o, "answer") : null;
        if (text != null && answer != null && !text.equals(answer)) {
            throw new DataFileException(file, where + ": \"text\" and \"answer\" differ; keep one");
        }
        return text != null ? text : answer;
    }
}
