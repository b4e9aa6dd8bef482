package org.medv.eval.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One generation setting of a sweep (the paper's Table 5) and what it achieved.
 *
 * @param settings        the {@code Labels.SETTINGS} label, e.g. {@code gen=128,block=64,steps=128,cache=dual}
 * @param mode            the decoding mode its answers report ({@link RunReport#mode()}), or null
 * @param score           the metric the sweep compares (e.g. the conversation benchmark's overall relative score)
 * @param timePerAnswerMs mean generation time per answer
 * @param repetition      mean share (0..1) of tokens inside a repeated n-gram
 */
public record SweepRow(String settings, String mode, double score, double timePerAnswerMs, double repetition) {
    public SweepRow {
        Objects.requireNonNull(settings, "settings");
    }

    /**
     * A row from a run's report: its settings label, its decoding mode, the given score, its overall time and
     * repetition means.
     */
    public static SweepRow fromReport(RunReport report, double score) {
        StatsSummary stats = report.statsOverall();
        if (stats == null) {
            throw new IllegalArgumentException("run " + report.runId() + " has no response statistics");
        }
        String settings = report.settings() != null ? report.settings() : report.runId();
        return new SweepRow(settings, report.mode(), score, stats.timePerAnswerMs(), stats.repetition());
    }

    /** The settings as ordered key/value pairs, or an empty map when the label is not {@code k=v,k=v,...}. */
    public Map<String, String> settingsMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String part : settings.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0 || eq == part.length() - 1) {
                return Map.of();
            }
            map.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
        return map;
    }
}
