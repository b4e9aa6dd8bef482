package org.medv.eval.report;

import org.medv.eval.JudgeScore;
import org.medv.eval.QuestionResult;
import org.medv.eval.ResponseStats;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The judge and response-statistics arithmetic behind {@link RunReport#aggregate}: plain means over each group's
 * scored questions (VQA metrics come from {@link org.medv.eval.vqa.VqaSummary}).
 */
final class Aggregation {
    private Aggregation() {
    }

    /** Judged results with a usable score (a reference of 0 has no relative score and is left out). */
    static JudgeSummary judge(List<QuestionResult> results) {
        List<QuestionResult> judged = results.stream()
                .filter(r -> r.judge() != null && r.judge().reference() > 0).toList();
        if (judged.isEmpty()) {
            return null;
        }
        Map<String, JudgeMean> byType = new LinkedHashMap<>();
        group(judged, r -> orUnknown(r.judgeType()), ReportNames.TYPES)
                .forEach((type, group) -> byType.put(type, judgeMean(group)));
        Map<String, JudgeMean> byDomain = new LinkedHashMap<>();
        group(judged, r -> orUnknown(r.domain()), ReportNames.DOMAINS)
                .forEach((domain, group) -> byDomain.put(domain, judgeMean(group)));
        return new JudgeSummary(byType, byDomain, judgeMean(judged));
    }

    static JudgeMean judgeMean(List<QuestionResult> judged) {
        List<JudgeScore> scores = judged.stream().map(QuestionResult::judge).toList();
        return new JudgeMean(scores.size(), mean(scores, JudgeScore::reference), mean(scores, JudgeScore::candidate),
                mean(scores, JudgeScore::relative));
    }

    static StatsSummary stats(List<ResponseStats> stats) {
        long totalTime = stats.stream().mapToLong(ResponseStats::timeMs).sum();
        long totalWords = stats.stream().mapToLong(ResponseStats::words).sum();
        return new StatsSummary(stats.size(), mean(stats, s -> s.tokens()), mean(stats, s -> s.words()),
                mean(stats, s -> s.steps()), mean(stats, s -> s.timeMs()),
                totalWords == 0 ? null : (double) totalTime / totalWords, mean(stats, ResponseStats::repetition));
    }

    /** Results grouped by key, groups ordered by {@link ReportNames#order}. */
    static Map<String, List<QuestionResult>> group(Collection<QuestionResult> results,
                                                   Function<QuestionResult, String> key, List<String> known) {
        Map<String, List<QuestionResult>> groups = new TreeMap<>(ReportNames.order(known));
        for (QuestionResult r : results) {
            groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        return new LinkedHashMap<>(groups);
    }

    static String orUnknown(String key) {
        return key == null || key.isBlank() ? ReportNames.UNKNOWN : key;
    }

    /** A plain left-to-right sum over the count, as Python 3.10's {@code sum(xs) / len(xs)} (no compensation). */
    private static <T> double mean(List<T> items, ToDoubleFunction<T> value) {
        double sum = 0;
        for (T item : items) {
            sum += value.applyAsDouble(item);
        }
        return items.isEmpty() ? 0.0 : sum / items.size();
    }
}
