package org.medv.evaluator;

import org.medv.eval.AnswerType;
import org.medv.eval.ConversationItem;
import org.medv.eval.JudgeScore;
import org.medv.eval.Labels;
import org.medv.eval.QuestionResult;
import org.medv.eval.ResponseStats;
import org.medv.eval.VqaScore;
import org.medv.eval.stats.Repetition;
import org.medv.eval.vqa.ClosedRule;
import org.medv.eval.vqa.VqaMetrics;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.FinishReason;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One answer record to one scored question: VQA metrics when the labels carry a ground truth and answer type, the
 * LLM judge when they carry the conversation benchmark's reference answer; response statistics and the decoding
 * mode of the record's options ({@link DecodingMode}) always. Answers without a run id and question id are not part
 * of an evaluation and yield nothing.
 */
final class AnswerScorer {
    /** Reviews a candidate answer of the conversation benchmark. */
    interface Judge {
        CompletableFuture<JudgeScore> review(ConversationItem item, String answer);
    }

    private final ClosedRule closedRule;
    private final int repetitionN;
    private final Judge judge;

    AnswerScorer(ClosedRule closedRule, int repetitionN, Judge judge) {
        this.closedRule = closedRule;
        this.repetitionN = repetitionN;
        this.judge = judge;
    }

    static boolean labelled(AnswerRecord a) {
        Map<String, String> l = a.getMetadata().getLabelsMap();
        return !l.getOrDefault(Labels.RUN_ID, "").isEmpty() && !l.getOrDefault(Labels.QUESTION_ID, "").isEmpty();
    }

    /** Scores, turning any failure into a result that carries the error: a labelled answer is never dropped. */
    CompletableFuture<QuestionResult> scoreSafely(AnswerRecord a) {
        try {
            return score(a).exceptionally(t -> failed(a, t));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failed(a, e));
        }
    }

    private static QuestionResult failed(AnswerRecord a, Throwable t) {
        Map<String, String> l = a.getMetadata().getLabelsMap();
        return new QuestionResult(l.get(Labels.RUN_ID), l.getOrDefault(Labels.DATASET, "unknown"),
                l.get(Labels.QUESTION_ID), settings(l), a.getText(),
                l.get(Labels.GROUND_TRUTH), null, null, null, null, null, "scoring failed: " + rootMessage(t),
                l.get(Labels.QUESTION_KIND), DecodingMode.of(a));
    }

    CompletableFuture<QuestionResult> score(AnswerRecord a) {
        Map<String, String> l = a.getMetadata().getLabelsMap();
        String text = a.getText();
        String error = a.getFinishReason() == FinishReason.FINISH_REASON_FAILED
                || a.getFinishReason() == FinishReason.FINISH_REASON_CANCELLED
                || a.getFinishReason() == FinishReason.FINISH_REASON_DEADLINE
                ? a.getFinishReason().name().replace("FINISH_REASON_", "").toLowerCase(Locale.ROOT)
                + (a.getError().getMessage().isEmpty() ? "" : ": " + a.getError().getMessage()) : null;
        int[] ids = a.getOutputIdsList().stream().mapToInt(Integer::intValue).toArray();
        ResponseStats stats = new ResponseStats(ids.length, words(text), a.getTimings().getSteps(),
                a.getTimings().getTotalMs() > 0 ? a.getTimings().getTotalMs() : a.getTimings().getGenerateMs(),
                Repetition.share(ids, repetitionN));
        String run = l.get(Labels.RUN_ID);
        String qid = l.get(Labels.QUESTION_ID);
        String dataset = l.getOrDefault(Labels.DATASET, "unknown");
        String settings = settings(l);
        String mode = DecodingMode.of(a);
        if (l.containsKey(Labels.GPT4_ANSWER)) {
            ConversationItem item = new ConversationItem(qid, "", l.getOrDefault(Labels.QUESTION, ""),
                    l.get(Labels.GPT4_ANSWER), l.getOrDefault(Labels.FIG_CAPTION, ""),
                    l.getOrDefault(Labels.FIG_LABEL, ""), l.getOrDefault(Labels.IN_TEXT_MENTION, "None"),
                    l.getOrDefault(Labels.TYPE, ""), l.getOrDefault(Labels.DOMAIN, ""));
            return judge.review(item, text).handle((score, t) -> new QuestionResult(run, dataset, qid, settings,
                    text, item.gpt4Answer(), null, score, item.type(), item.domain(), stats,
                    t != null ? "judge: " + rootMessage(t) : error, null, mode));
        }
        VqaScore vqa = null;
        String gt = l.get(Labels.GROUND_TRUTH);
        if (gt != null && l.containsKey(Labels.ANSWER_TYPE)) {
            AnswerType type = AnswerType.valueOf(l.get(Labels.ANSWER_TYPE).trim().toUpperCase(Locale.ROOT));
            vqa = VqaMetrics.score(type, text, gt, closedRule);
        }
        return CompletableFuture.completedFuture(new QuestionResult(run, dataset, qid, settings, text, gt, vqa, null,
                null, null, stats, error, l.get(Labels.QUESTION_KIND), mode));
    }

    /** The run's generation settings label; null when absent, so a report of a run without one names none. */
    private static String settings(Map<String, String> labels) {
        String s = labels.get(Labels.SETTINGS);
        return s == null || s.isBlank() ? null : s;
    }

    private static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
