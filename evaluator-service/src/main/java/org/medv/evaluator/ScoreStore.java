package org.medv.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import org.medv.eval.QuestionResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scores of every run, by question: a question is counted once whatever arrives for it (a redelivered answer,
 * a second answer to the same question), the last score replacing the one before. It mirrors the compacted
 * {@code medv.scores} topic, from which it is rebuilt at startup, and remembers which answer (request id) each score
 * came from, so that an answer delivered again after a restart is recognised and not scored (or judged) again.
 */
@ApplicationScoped
public class ScoreStore {
    private record Scored(QuestionResult result, String requestId) {
    }

    private final Map<String, Map<String, Scored>> runs = new ConcurrentHashMap<>();

    public void put(QuestionResult r) {
        put(r, null);
    }

    /** The score of {@code r}'s question, from the answer {@code requestId} (null when unknown). */
    public void put(QuestionResult r, String requestId) {
        runs.computeIfAbsent(r.runId(), k -> new ConcurrentHashMap<>()).put(r.questionId(), new Scored(r, requestId));
    }

    /** Whether this very answer already has a score without an error (an error is worth another try). */
    public boolean scored(String runId, String questionId, String requestId) {
        Map<String, Scored> run = runs.get(runId);
        Scored s = run == null ? null : run.get(questionId);
        return s != null && requestId != null && requestId.equals(s.requestId()) && s.result().error() == null;
    }

    /** Run ids with their number of scored questions. */
    public Map<String, Integer> runs() {
        Map<String, Integer> out = new TreeMap<>();
        runs.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    public List<QuestionResult> results(String runId) {
        Map<String, Scored> r = runs.get(runId);
        if (r == null) {
            return List.of();
        }
        List<QuestionResult> out = new ArrayList<>(r.values().stream().map(Scored::result).toList());
        out.sort((a, b) -> a.questionId().compareTo(b.questionId()));
        return out;
    }

    public boolean has(String runId) {
        return runs.containsKey(runId);
    }
}
