package org.medv.evaluator;

import org.junit.jupiter.api.Test;
import org.medv.eval.ConversationItem;
import org.medv.eval.JudgeScore;
import org.medv.eval.Labels;
import org.medv.eval.QuestionResult;
import org.medv.eval.vqa.ClosedRule;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.CacheMode;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One answer record to one QuestionResult, without Kafka or Quarkus. */
class AnswerScorerTest {
    private final AtomicReference<ConversationItem> judged = new AtomicReference<>();
    private final AnswerScorer scorer = new AnswerScorer(ClosedRule.SUBSTRING, 3, (item, answer) -> {
        judged.set(item);
        return CompletableFuture.completedFuture(new JudgeScore(8, 6));
    });

    @Test
    void labelledNeedsRunAndQuestionIds() {
        assertTrue(AnswerScorer.labelled(Answers.vqa("r", "vqa-rad", "q1", "CLOSED", "yes", "yes")));
        assertFalse(AnswerScorer.labelled(Answers.answer("a", "yes", Map.of(Labels.RUN_ID, "r"))));
        assertFalse(AnswerScorer.labelled(Answers.answer("a", "yes", Map.of(Labels.QUESTION_ID, "q1"))));
        assertFalse(AnswerScorer.labelled(Answers.answer("a", "yes",
                Map.of(Labels.RUN_ID, "", Labels.QUESTION_ID, "q1"))));
    }

    @Test
    void vqaAnswerWithResponseStatistics() {
        QuestionResult r = scorer.scoreSafely(Answers.vqa("r", "vqa-rad", "q1", "open", "left lung",
                "The left lung is clear")).join();
        assertEquals("r", r.runId());
        assertEquals("q1", r.questionId());
        assertTrue(r.vqa().hit()); // "left lung" is a substring of the normalised prediction
        assertEquals(1.0, r.vqa().recall(), 1e-9);
        assertEquals(4, r.stats().tokens());
        assertEquals(5, r.stats().words());
        assertEquals(8, r.stats().steps());
        assertEquals(50, r.stats().timeMs()); // total, not generate
        assertNull(r.settings());
        assertNull(r.judge());
        assertNull(r.error());
        assertNull(r.mode(), "a record without options names no mode");
    }

    @Test
    void theRecordsOptionsNameTheDecodingMode() {
        AnswerRecord a = Answers.vqa("r", "vqa-rad", "q1", "CLOSED", "yes", "yes");
        assertEquals("exact", scorer.scoreSafely(a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setCache(CacheMode.CACHE_MODE_NONE).setThreshold(0).setRefreshEvery(4)).build()).join().mode());
        assertEquals("dual", scorer.scoreSafely(a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setCache(CacheMode.CACHE_MODE_DUAL)).build()).join().mode());
        assertEquals("prefix+t0.9", scorer.scoreSafely(a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setCache(CacheMode.CACHE_MODE_PREFIX).setThreshold(0.9)).build()).join().mode());
        assertEquals("none+t1", scorer.scoreSafely(a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setThreshold(1.0).setRefreshEvery(8)).build()).join().mode(), "no cache: no refresh to name");
        assertEquals("dual+t0.75/r8", scorer.scoreSafely(a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setCache(CacheMode.CACHE_MODE_DUAL).setThreshold(0.75).setRefreshEvery(8)).build()).join().mode());
        AnswerRecord failed = a.toBuilder().setOptions(GenerationOptions.newBuilder()
                .setCache(CacheMode.CACHE_MODE_DUAL)).setFinishReason(FinishReason.FINISH_REASON_FAILED).build();
        assertEquals("dual", scorer.scoreSafely(failed).join().mode(), "a failed answer says its mode too");
    }

    @Test
    void settingsLabelIsKept() {
        Map<String, String> labels = new HashMap<>(Answers.vqa("r", "slake", "q1", "CLOSED", "yes", "yes")
                .getMetadata().getLabelsMap());
        labels.put(Labels.SETTINGS, "gen=128,block=64,steps=128");
        QuestionResult r = scorer.scoreSafely(Answers.answer("a", "yes", labels)).join();
        assertEquals("gen=128,block=64,steps=128", r.settings());
    }

    /** A failed generation is still scored (its text as it stands) and carries the finish reason as its error. */
    @Test
    void failedGenerationCarriesItsReason() {
        AnswerRecord failed = Answers.vqa("r", "vqa-rad", "q1", "CLOSED", "yes", "").toBuilder()
                .setFinishReason(FinishReason.FINISH_REASON_FAILED)
                .setError(ErrorInfo.newBuilder().setCode("INTERNAL").setMessage("engine stopped"))
                .build();
        QuestionResult r = scorer.scoreSafely(failed).join();
        assertEquals("failed: engine stopped", r.error());
        assertFalse(r.vqa().hit());
        AnswerRecord deadline = failed.toBuilder().setFinishReason(FinishReason.FINISH_REASON_DEADLINE)
                .clearError().build();
        assertEquals("deadline", scorer.scoreSafely(deadline).join().error());
    }

    @Test
    void badAnswerTypeIsAnErrorNotAnException() {
        QuestionResult r = scorer.scoreSafely(Answers.vqa("r", "vqa-rad", "q1", "yesno", "yes", "yes")).join();
        assertTrue(r.error().startsWith("scoring failed: ") && r.error().contains("YESNO"), r.error());
        assertEquals("yes", r.groundTruth());
        assertNull(r.vqa());
    }

    @Test
    void conversationAnswerIsJudgedWithItsLabels() {
        QuestionResult r = scorer.scoreSafely(Answers.qa50("r", "j1", "conversation", "mri", "An answer.")).join();
        assertEquals(new JudgeScore(8, 6), r.judge());
        assertEquals("conversation", r.judgeType());
        assertEquals("mri", r.domain());
        assertNull(r.vqa());
        ConversationItem item = judged.get();
        assertEquals("j1", item.questionId());
        assertEquals("What does the chest X-ray show?", item.question());
        assertEquals("Figure 1", item.figLabel());
        assertEquals("['The radiograph showed consolidation.']", item.inTextMention());
    }

    @Test
    void judgeFailureIsAnError() {
        AnswerScorer failing = new AnswerScorer(ClosedRule.SUBSTRING, 3,
                (item, answer) -> CompletableFuture.failedFuture(new IllegalStateException("judge down")));
        QuestionResult r = failing.scoreSafely(Answers.qa50("r", "j1", "conversation", "mri", "An answer.")).join();
        assertEquals("judge: judge down", r.error());
        assertNull(r.judge());
        assertEquals(2, r.stats().words());
    }
}
