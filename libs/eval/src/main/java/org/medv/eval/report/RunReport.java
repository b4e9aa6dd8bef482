package org.medv.eval.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.medv.eval.QuestionResult;
import org.medv.eval.ResponseStats;
import org.medv.eval.VqaScore;
import org.medv.eval.vqa.VqaSummary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything the paper's tables need from one run.
 *
 * @param settings        the run's generation settings label when all its results share one, else null
 * @param mode            the decoding mode of its answers ({@code exact}, {@code dual}, {@code prefix+t0.9}, ...);
 *                        several, sorted and joined by {@code ", "}, when they differ; null when none is known
 * @param questions       results aggregated
 * @param errors          results that carry an error (generation or judging failed)
 * @param vqa             per dataset with VQA scores (paper order first): closed accuracy and open metrics in
 *                        percent, as LLaVA-Med v1.0.0 prints them ({@link VqaSummary#of})
 * @param vqaByKind       per dataset, per question kind (datasets whose questions name one, e.g. medv's synthetic set:
 *                        {@code closed.side}, {@code open.findings}), the same summary: closed accuracy, open
 *                        recall, exact match and token F1 in percent
 * @param judge           the conversation benchmark's review; null when nothing was judged
 * @param stats           per dataset, results with response statistics only
 * @param statsOverall    over all results with response statistics; null when there are none
 */
public record RunReport(String runId, String settings, String mode, int questions, int errors, Map<String, Integer> errorsByDataset,
                        Map<String, VqaSummary> vqa, Map<String, Map<String, VqaSummary>> vqaByKind,
                        JudgeSummary judge, Map<String, StatsSummary> stats,
                        StatsSummary statsOverall) {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    /** Aggregates the scored questions of one run; a result's missing parts (vqa, judge, stats) are skipped. */
    public static RunReport aggregate(String runId, List<QuestionResult> results) {
        Objects.requireNonNull(runId, "runId");
        Map<String, List<QuestionResult>> byDataset =
                Aggregation.group(results, r -> Aggregation.orUnknown(r.dataset()), ReportNames.VQA_DATASETS);

        Map<String, Integer> errorsByDataset = new LinkedHashMap<>();
        Map<String, VqaSummary> vqa = new LinkedHashMap<>();
        Map<String, Map<String, VqaSummary>> vqaByKind = new LinkedHashMap<>();
        Map<String, StatsSummary> stats = new LinkedHashMap<>();
        byDataset.forEach((dataset, group) -> {
            int errors = (int) group.stream().filter(RunReport::failed).count();
            if (errors > 0) {
                errorsByDataset.put(dataset, errors);
            }
            List<VqaScore> scores = group.stream().map(QuestionResult::vqa).filter(Objects::nonNull).toList();
            if (!scores.isEmpty()) {
                vqa.put(dataset, VqaSummary.of(scores));
            }
            Map<String, VqaSummary> kinds = byKind(group);
            if (!kinds.isEmpty()) {
                vqaByKind.put(dataset, kinds);
            }
            List<ResponseStats> answerStats = statsOf(group);
            if (!answerStats.isEmpty()) {
                stats.put(dataset, Aggregation.stats(answerStats));
            }
        });
        List<ResponseStats> allStats = statsOf(results);
        return new RunReport(runId, commonSettings(results), modes(results), results.size(),
                errorsByDataset.values().stream().mapToInt(Integer::intValue).sum(), errorsByDataset, vqa,
                vqaByKind, Aggregation.judge(results), stats, allStats.isEmpty() ? null : Aggregation.stats(allStats));
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static RunReport fromJson(String json) {
        return GSON.fromJson(json, RunReport.class);
    }

    /** The VQA summary of each question kind of one dataset, kinds in sorted order; empty when none is named. */
    private static Map<String, VqaSummary> byKind(List<QuestionResult> group) {
        Map<String, List<VqaScore>> scores = new TreeMap<>();
        for (QuestionResult r : group) {
            if (r.vqa() != null && r.kind() != null) {
                scores.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r.vqa());
            }
        }
        Map<String, VqaSummary> out = new LinkedHashMap<>();
        scores.forEach((kind, s) -> out.put(kind, VqaSummary.of(s)));
        return out;
    }

    private static boolean failed(QuestionResult r) {
        return r.error() != null && !r.error().isBlank();
    }

    private static List<ResponseStats> statsOf(List<QuestionResult> results) {
        return results.stream().map(QuestionResult::stats).filter(Objects::nonNull).toList();
    }

    private static String modes(List<QuestionResult> results) {
        List<String> distinct = results.stream().map(QuestionResult::mode).filter(Objects::nonNull).distinct()
                .sorted().toList();
        return distinct.isEmpty() ? null : String.join(", ", distinct);
    }

    private static String commonSettings(List<QuestionResult> results) {
        List<String> distinct = results.stream().map(QuestionResult::settings).filter(Objects::nonNull).distinct()
                .toList();
        return distinct.size() == 1 ? distinct.get(0) : null;
    }
}
