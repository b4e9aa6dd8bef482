package org.medv.eval.report;

import org.medv.eval.vqa.VqaSummary;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * PNG charts of a run or a sweep, drawn off-screen with java.awt (no display needed). Sizes are fixed so that
 * reports look the same from run to run.
 */
public final class Charts {
    public static final int WIDTH = 960;
    public static final int HEIGHT = 540;
    public static final int SWEEP_HEIGHT = 800;

    // Off-screen rendering only: make sure AWT never looks for a display (no effect once AWT has started).
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 60;
    private static final int BOTTOM = 90;

    private Charts() {
    }

    /** Grouped bars per dataset: closed accuracy and open recall, in percent. */
    public static byte[] accuracyPng(RunReport report) {
        List<String> datasets = new ArrayList<>(report.vqa().keySet());
        List<Double> closed = new ArrayList<>();
        List<Double> open = new ArrayList<>();
        for (String dataset : datasets) {
            VqaSummary summary = report.vqa().get(dataset);
            closed.add(summary.closedN() > 0 ? summary.closedAccuracy() : null);
            open.add(summary.openN() > 0 ? summary.openRecall() : null);
        }
        try (Plot plot = new Plot(WIDTH, HEIGHT)) {
            plot.title("VQA per dataset and answer type: " + report.runId());
            if (datasets.isEmpty()) {
                plot.message("no VQA results");
                return plot.png();
            }
            Rectangle area = new Rectangle(LEFT, TOP, WIDTH - LEFT - RIGHT - 160, HEIGHT - TOP - BOTTOM);
            plot.yAxis(area, 100, "Score (%)");
            plot.bars(area, 100, List.of(closed, open));
            plot.xLabels(area, datasets.stream().map(ReportNames::title).toList(), "Dataset");
            plot.legend(area.x + area.width + 20, area.y, List.of("Closed (accuracy)", "Open (recall)"));
            return plot.png();
        }
    }

    /** Bars of the conversation benchmark's relative score: the two types, the five domains and overall. */
    public static byte[] judgePng(RunReport report) {
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        JudgeSummary judge = report.judge();
        if (judge != null) {
            judge.byType().forEach((k, v) -> add(labels, values, k, v));
            judge.byDomain().forEach((k, v) -> add(labels, values, k, v));
            add(labels, values, ReportNames.OVERALL, judge.all());
        }
        try (Plot plot = new Plot(WIDTH, HEIGHT)) {
            plot.title("Conversation benchmark, relative score per group: " + report.runId());
            if (labels.isEmpty()) {
                plot.message("no judged answers");
                return plot.png();
            }
            double max = Plot.niceMax(Math.max(100, values.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
            Rectangle area = new Rectangle(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
            plot.yAxis(area, max, "Relative score (%)");
            plot.bars(area, max, List.of(values));
            plot.xLabels(area, labels, "Question type / domain");
            return plot.png();
        }
    }

    /**
     * Three stacked panels over the sweep's settings: score (bars), time per answer (line) and repetition (line),
     * each with its own labelled value axis.
     */
    public static byte[] sweepPng(List<SweepRow> rows) {
        List<String> labels = rows.stream().map(SweepRow::settings).toList();
        try (Plot plot = new Plot(WIDTH, SWEEP_HEIGHT)) {
            plot.title("Generation settings sweep");
            if (rows.isEmpty()) {
                plot.message("no sweep points");
                return plot.png();
            }
            int bottom = BOTTOM + 30; // room for labels split over up to three lines
            int gap = 30;
            int panelHeight = (SWEEP_HEIGHT - TOP - bottom - 2 * gap) / 3;
            Rectangle score = new Rectangle(LEFT, TOP, WIDTH - LEFT - RIGHT, panelHeight);
            Rectangle time = new Rectangle(LEFT, TOP + panelHeight + gap, score.width, panelHeight);
            Rectangle repetition = new Rectangle(LEFT, TOP + 2 * (panelHeight + gap), score.width, panelHeight);

            double scoreMax = Plot.niceMax(max(rows, SweepRow::score));
            plot.yAxis(score, scoreMax, "Score");
            plot.bars(score, scoreMax, List.of(rows.stream().map(r -> (Double) r.score()).toList()));

            double timeMax = Plot.niceMax(max(rows, SweepRow::timePerAnswerMs) * 1.15);
            plot.yAxis(time, timeMax, "Time/answer (ms)");
            plot.line(time, timeMax, rows.stream().map(r -> (Double) r.timePerAnswerMs()).toList(),
                    Plot.PALETTE[1], "%.0f");

            List<Double> repetitionPercent = rows.stream().map(r -> r.repetition() * 100.0).toList();
            double repetitionMax = Plot.niceMax(Math.max(10, max(rows, r -> r.repetition() * 100.0) * 1.15));
            plot.yAxis(repetition, repetitionMax, "Repetition (%)");
            plot.line(repetition, repetitionMax, repetitionPercent, Plot.PALETTE[3], "%.1f");
            plot.xLabels(repetition, labels, "Generation settings");
            return plot.png();
        }
    }

    /**
     * A training curve: the loss of every optimizer step (thin, light) and its moving average over {@code n / 50}
     * steps (thick), steps 1..n along x. The y axis is sized to the average after the first tenth of the steps, so
     * that neither the first steps' high loss nor single spikes flatten the rest (higher values are clipped).
     */
    public static byte[] lossPng(List<Double> losses, String title, String yLabel) {
        try (Plot plot = new Plot(WIDTH, HEIGHT)) {
            plot.title(title);
            if (losses.isEmpty()) {
                plot.message("no steps");
                return plot.png();
            }
            Rectangle area = new Rectangle(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
            List<Double> average = movingAverage(losses, Math.max(1, losses.size() / 50));
            double later = average.subList(average.size() / 10, average.size()).stream()
                    .mapToDouble(Double::doubleValue).max().orElse(1);
            double max = Plot.niceMax(later * 1.5);
            plot.yAxis(area, max, yLabel);
            plot.curve(area, max, losses, new java.awt.Color(0xaec7e8), 1f);
            plot.curve(area, max, average, Plot.PALETTE[0], 2.5f);
            plot.xTicks(area, 1, losses.size(), "Optimizer step");
            plot.legend(area.x + area.width - 220, area.y + 8,
                    List.of("moving average (" + Math.max(1, losses.size() / 50) + " steps)"));
            return plot.png();
        }
    }

    /** Mean of the last {@code window} values at each position (fewer at the start). */
    static List<Double> movingAverage(List<Double> values, int window) {
        List<Double> out = new ArrayList<>(values.size());
        double sum = 0;
        for (int i = 0; i < values.size(); i++) {
            sum += values.get(i);
            if (i >= window) {
                sum -= values.get(i - window);
            }
            out.add(sum / Math.min(i + 1, window));
        }
        return out;
    }

    private static void add(List<String> labels, List<Double> values, String key, JudgeMean mean) {
        labels.add(ReportNames.title(key));
        values.add(mean.relative());
    }

    private static double max(List<SweepRow> rows, Function<SweepRow, Double> value) {
        return rows.stream().mapToDouble(value::apply).max().orElse(0);
    }
}
