package org.medv.evaluator;

import org.medv.eval.Labels;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.ClientMetadata;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.Timings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** AnswerRecords as the denoiser publishes them to {@code medv.answers}, with the labels of an evaluation run. */
final class Answers {
    private Answers() {
    }

    /** A VQA answer of {@code dataset} (CLOSED or OPEN). */
    static AnswerRecord vqa(String run, String dataset, String questionId, String answerType, String groundTruth,
                            String text) {
        return answer(run + "-" + questionId, text, Map.of(Labels.RUN_ID, run, Labels.DATASET, dataset,
                Labels.QUESTION_ID, questionId, Labels.ANSWER_TYPE, answerType, Labels.GROUND_TRUTH, groundTruth));
    }

    /** A conversation-benchmark (qa50) answer that the LLM judge reviews. */
    static AnswerRecord qa50(String run, String questionId, String type, String domain, String text) {
        Map<String, String> labels = new HashMap<>();
        labels.put(Labels.RUN_ID, run);
        labels.put(Labels.DATASET, "qa50");
        labels.put(Labels.QUESTION_ID, questionId);
        labels.put(Labels.QUESTION, "What does the chest X-ray show?");
        labels.put(Labels.GPT4_ANSWER, "The chest X-ray shows a right lower lobe consolidation.");
        labels.put(Labels.FIG_CAPTION, "Chest radiograph on admission.");
        labels.put(Labels.FIG_LABEL, "Figure 1");
        labels.put(Labels.IN_TEXT_MENTION, "['The radiograph showed consolidation.']");
        labels.put(Labels.TYPE, type);
        labels.put(Labels.DOMAIN, domain);
        return answer(run + "-" + questionId, text, labels);
    }

    /** An answer with arbitrary labels, four output tokens and 8 steps. */
    static AnswerRecord answer(String requestId, String text, Map<String, String> labels) {
        return AnswerRecord.newBuilder()
                .setRequestId(requestId)
                .setGatewayId("gw-test")
                .setMetadata(ClientMetadata.newBuilder().putAllLabels(labels))
                .addAllOutputIds(List.of(11, 12, 13, 2))
                .setText(text)
                .setFinishReason(FinishReason.FINISH_REASON_STOP)
                .setTimings(Timings.newBuilder().setSteps(8).setGenerateMs(40).setTotalMs(50))
                .setFinishedUnixMs(System.currentTimeMillis())
                .build();
    }
}
