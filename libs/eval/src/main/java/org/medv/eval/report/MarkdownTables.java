package org.medv.eval.report;

import org.medv.eval.vqa.VqaSummary;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reports as Markdown in the layout of the paper's tables: one row per run. VQA: for VQA-RAD, SLAKE and PathVQA (then
 * any other dataset) the open recall and the closed accuracy in percent. Conversation benchmark: relative scores for
 * conversation, description, the five domains and overall. Response statistics: means per dataset and overall.
 */
public final class MarkdownTables {
    private MarkdownTables() {
    }

    /** All tables of one run that have data, under a heading naming the run. */
    public static String render(RunReport report) {
        StringBuilder out = new StringBuilder("## Run ").append(report.runId()).append("\n\n");
        if (report.settings() != null) {
            out.append("Settings: `").append(report.settings()).append("`\n\n");
        }
        if (report.mode() != null) {
            out.append("Mode: `").append(report.mode()).append("`\n\n");
        }
        out.append("Questions: ").append(report.questions()).append(", errors: ").append(report.errors());
        report.errorsByDataset().forEach((dataset, n) -> out.append(", ").append(dataset).append(": ").append(n));
        out.append("\n\n");
        if (!report.vqa().isEmpty()) {
            out.append("### VQA (%)\n\n").append(vqa(List.of(report))).append('\n');
        }
        if (report.vqaByKind() != null && !report.vqaByKind().isEmpty()) {
            out.append("### VQA per question kind (%)\n\n").append(vqaByKind(report)).append('\n');
        }
        if (report.judge() != null) {
            out.append("### Conversation benchmark (relative score, %)\n\n").append(conversation(List.of(report)))
                    .append('\n').append(judgeDetails(report)).append('\n');
        }
        if (report.statsOverall() != null) {
            out.append("### Response statistics\n\n").append(responseStats(List.of(report))).append('\n');
        }
        return out.toString();
    }

    /** Rows = runs; per dataset "Open (recall)" and "Closed (accuracy)". */
    public static String vqa(List<RunReport> runs) {
        Set<String> datasets = new LinkedHashSet<>(ReportNames.VQA_DATASETS);
        runs.forEach(r -> datasets.addAll(r.vqa().keySet()));
        List<String> header = new ArrayList<>(List.of("Run"));
        for (String dataset : datasets) {
            header.add(ReportNames.title(dataset) + " Open (recall)");
            header.add(ReportNames.title(dataset) + " Closed (accuracy)");
        }
        MarkdownTable table = new MarkdownTable(header);
        for (RunReport run : runs) {
            List<String> row = new ArrayList<>(List.of(run.runId()));
            for (String dataset : datasets) {
                VqaSummary summary = run.vqa().get(dataset);
                boolean open = summary != null && summary.openN() > 0;
                boolean closed = summary != null && summary.closedN() > 0;
                row.add(MarkdownTable.number(open ? summary.openRecall() : null));
                row.add(MarkdownTable.number(closed ? summary.closedAccuracy() : null));
            }
            table.row(row);
        }
        return table.render();
    }

    /**
     * Rows = a dataset's question kinds: n, the LLaVA-Med score (closed accuracy, open recall), and for open kinds the
     * exact match and token F1 that a long answer (medv's {@code open.findings} report) needs besides recall.
     */
    public static String vqaByKind(RunReport run) {
        MarkdownTable table = new MarkdownTable(List.of("Dataset", "Kind", "n", "Score", "Exact match", "Token F1"));
        run.vqaByKind().forEach((dataset, kinds) -> kinds.forEach((kind, s) -> {
            boolean open = s.openN() > 0;
            table.row(List.of(ReportNames.title(dataset), kind, Integer.toString(open ? s.openN() : s.closedN()),
                    MarkdownTable.number(open ? s.openRecall() : s.closedAccuracy()),
                    MarkdownTable.number(open ? s.openExactMatch() : null),
                    MarkdownTable.number(open ? s.openF1() : null)));
        }));
        return table.render();
    }

    /** Rows = runs; relative scores for the two question types, the five domains and overall. */
    public static String conversation(List<RunReport> runs) {
        List<String> header = new ArrayList<>(List.of("Run"));
        ReportNames.TYPES.forEach(t -> header.add(ReportNames.title(t)));
        ReportNames.DOMAINS.forEach(d -> header.add(ReportNames.title(d)));
        header.add(ReportNames.title(ReportNames.OVERALL));
        MarkdownTable table = new MarkdownTable(header);
        for (RunReport run : runs) {
            JudgeSummary judge = run.judge();
            List<String> row = new ArrayList<>(List.of(run.runId()));
            ReportNames.TYPES.forEach(t -> row.add(relative(judge == null ? null : judge.byType().get(t))));
            ReportNames.DOMAINS.forEach(d -> row.add(relative(judge == null ? null : judge.byDomain().get(d))));
            row.add(relative(judge == null ? null : judge.all()));
            table.row(row);
        }
        return table.render();
    }

    /** One run's review groups with n, both mean scores and the relative score. */
    public static String judgeDetails(RunReport report) {
        MarkdownTable table = new MarkdownTable(
                List.of("Group", "n", "Reference (GPT-4)", "Candidate", "Relative (%)"));
        JudgeSummary judge = report.judge();
        if (judge != null) {
            judge.byType().forEach((type, mean) -> table.row(judgeRow(type, mean)));
            judge.byDomain().forEach((domain, mean) -> table.row(judgeRow(domain, mean)));
            table.row(judgeRow(ReportNames.OVERALL, judge.all()));
        }
        return table.render();
    }

    /**
     * Rows = (run, dataset) then (run, overall); the decoding mode, then the means of the paper's response statistics
     * (time depends on the mode).
     */
    public static String responseStats(List<RunReport> runs) {
        MarkdownTable table = new MarkdownTable(List.of("Run", "Mode", "Dataset", "Answers", "Tokens", "Words",
                "Steps", "Time/answer (ms)", "Time/word (ms)", "Repetition (%)"));
        for (RunReport run : runs) {
            String mode = run.mode() == null ? MarkdownTable.MISSING : run.mode();
            for (Map.Entry<String, StatsSummary> e : run.stats().entrySet()) {
                table.row(statsRow(run.runId(), mode, ReportNames.title(e.getKey()), e.getValue()));
            }
            if (run.statsOverall() != null) {
                table.row(statsRow(run.runId(), mode, ReportNames.title(ReportNames.OVERALL), run.statsOverall()));
            }
        }
        return table.render();
    }

    private static List<String> judgeRow(String group, JudgeMean mean) {
        return List.of(ReportNames.title(group), Integer.toString(mean.n()), MarkdownTable.number(mean.reference()),
                MarkdownTable.number(mean.candidate()), MarkdownTable.number(mean.relative()));
    }

    private static List<String> statsRow(String runId, String mode, String dataset, StatsSummary s) {
        Function<Double, String> one = v -> MarkdownTable.number(v, 1);
        return List.of(runId, mode, dataset, Integer.toString(s.answers()), one.apply(s.tokens()), one.apply(s.words()),
                one.apply(s.steps()), one.apply(s.timePerAnswerMs()), MarkdownTable.number(s.timePerWordMs()),
                one.apply(s.repetition() * 100.0));
    }

    private static String relative(JudgeMean mean) {
        return MarkdownTable.number(mean == null ? null : mean.relative());
    }
}
