package org.medv.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import org.medv.eval.QuestionResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scores of every run, by question: a redelivered answer replaces its own entry, so nothing is counted twice.
 * It mirrors the compacted {@code medv.scores} topic, from which it is rebuilt at startup.
 */
@ApplicationScoped
public class ScoreStore {
    private final Map<String, Map<String, QuestionResult>> runs = new ConcurrentHashMap<>();

    public void put(QuestionResult r) {
        runs.computeIfAbsent(r.runId(), k -> new ConcurrentHashMap<>()).put(r.questionId(), r);
    }

    /** Run ids with their number of scored questions. */
    public Map<String, Integer> runs() {
        Map<String, Integer> out = new TreeMap<>();
        runs.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    public List<QuestionResult> results(String runId) {
        Map<String, QuestionResult> r = runs.get(runId);
        if (r == null) {
            return List.of();
        }
        List<QuestionResult> out = new ArrayList<>(r.values());
        out.sort((a, b) -> a.questionId().compareTo(b.questionId()));
        return out;
    }

    public boolean has(String runId) {
        return runs.containsKey(runId);
    }
}
