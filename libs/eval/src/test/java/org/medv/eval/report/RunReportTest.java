package org.medv.eval.report;

import org.junit.jupiter.api.Test;
import org.medv.eval.QuestionResult;
import org.medv.eval.vqa.VqaSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {
    private static final double EPS = 1e-9;
    private final RunReport report = RunReport.aggregate("r1", ReportFixtures.results());

    @Test
    void countsQuestionsErrorsAndSettings() {
        assertEquals("r1", report.runId());
        assertEquals(ReportFixtures.SETTINGS, report.settings());
        assertEquals("prefix+t0.9", report.mode());
        assertEquals(9, report.questions());
        assertEquals(1, report.errors());
        assertEquals(Map.of("qa50", 1), report.errorsByDataset());
    }

    @Test
    void vqaMetricsPerDatasetInPaperOrder() {
        assertEquals(List.of("vqa-rad", "slake"), List.copyOf(report.vqa().keySet()));
        VqaSummary rad = report.vqa().get("vqa-rad");
        assertEquals(2, rad.closedN());
        assertEquals(50.0, rad.closedAccuracy(), EPS);          // 1 hit of 2
        assertEquals(2, rad.openN());
        assertEquals(75.0, rad.openRecall(), EPS);              // (0.5 + 1.0) / 2
        assertEquals(37.5, rad.openPrecision(), EPS);           // (0.25 + 0.5) / 2
        assertEquals(50.0, rad.openF1(), EPS);                  // (1/3 + 2/3) / 2
        assertEquals(37.5, rad.openExactMatch(), EPS);
        VqaSummary slake = report.vqa().get("slake");
        assertEquals(100.0, slake.closedAccuracy(), EPS);
        assertEquals(0, slake.openN());
    }

    @Test
    void vqaMetricsPerQuestionKindWhereTheDatasetNamesKinds() {
        assertEquals(List.of("vqa-rad"), List.copyOf(report.vqaByKind().keySet()), "slake names no kinds");
        Map<String, VqaSummary> kinds = report.vqaByKind().get("vqa-rad");
        assertEquals(List.of("closed.side", "open.findings"), List.copyOf(kinds.keySet()));
        assertEquals(2, kinds.get("closed.side").closedN());
        assertEquals(50.0, kinds.get("closed.side").closedAccuracy(), 1e-9);
        VqaSummary findings = kinds.get("open.findings");
        assertEquals(2, findings.openN());
        assertEquals(75.0, findings.openRecall(), 1e-9);
        assertEquals(37.5, findings.openExactMatch(), 1e-9);
        assertEquals(50.0, findings.openF1(), 1e-9);
    }

    @Test
    void judgeMeansPerTypeDomainAndAll() {
        JudgeSummary judge = report.judge();
        assertEquals(List.of("conversation", "detailed_description"), List.copyOf(judge.byType().keySet()));
        assertMean(judge.byType().get("conversation"), 2, 9.0, 5.5, 62.5);        // 6/8 = 75 %, 5/10 = 50 %
        assertMean(judge.byType().get("detailed_description"), 1, 5.0, 5.0, 100.0);
        assertEquals(List.of("chest_xray", "mri"), List.copyOf(judge.byDomain().keySet()));
        assertMean(judge.byDomain().get("chest_xray"), 2, 6.5, 5.5, 87.5);        // (75 + 100) / 2
        assertMean(judge.byDomain().get("mri"), 1, 10.0, 5.0, 50.0);
        // the mean of ratios, 75, not the ratio of means 16/23 = 69.6
        assertMean(judge.all(), 3, 23.0 / 3, 16.0 / 3, 75.0);
    }

    @Test
    void responseStatisticsPerDatasetAndOverall() {
        assertEquals(List.of("vqa-rad", "qa50"), List.copyOf(report.stats().keySet()));
        assertStats(report.stats().get("vqa-rad"), 4, 25, 12.5, 128, 2000, 8000.0 / 50, 0.25);
        assertStats(report.stats().get("qa50"), 4, 100, 50, 64, 4000, 16000.0 / 200, 0.15);
        assertStats(report.statsOverall(), 8, 62.5, 31.25, 96, 3000, 24000.0 / 250, 0.2);
    }

    @Test
    void emptyRunHasNoJudgeOrStats() {
        RunReport empty = RunReport.aggregate("empty", List.of());
        assertEquals(0, empty.questions());
        assertTrue(empty.vqa().isEmpty());
        assertNull(empty.judge());
        assertNull(empty.statsOverall());
        assertNull(empty.settings());
        assertNull(empty.mode());
    }

    @Test
    void modesOfARunAreListedWhenTheyDiffer() {
        List<QuestionResult> results = new ArrayList<>(ReportFixtures.results());
        QuestionResult first = results.get(0);
        results.set(0, new QuestionResult(first.runId(), first.dataset(), first.questionId(), first.settings(),
                first.prediction(), first.groundTruth(), first.vqa(), null, null, null, first.stats(), null,
                first.kind(), "exact"));
        QuestionResult second = results.get(1);
        results.set(1, new QuestionResult(second.runId(), second.dataset(), second.questionId(), second.settings(),
                second.prediction(), second.groundTruth(), second.vqa(), null, null, null, second.stats(), null,
                second.kind(), null));
        assertEquals("exact, prefix+t0.9", RunReport.aggregate("r1", results).mode(), "sorted, unknown left out");
    }

    @Test
    void jsonRoundTrips() {
        String json = report.toJson();
        assertTrue(json.contains("\"relative\": 75.0"), json);
        assertTrue(json.contains("\"timePerWordMs\": 160.0"), json);
        assertTrue(json.contains("\"mode\": \"prefix+t0.9\""), json);
        assertEquals(report, RunReport.fromJson(json));
    }

    private static void assertMean(JudgeMean mean, int n, double reference, double candidate, double relative) {
        assertEquals(n, mean.n());
        assertEquals(reference, mean.reference(), EPS);
        assertEquals(candidate, mean.candidate(), EPS);
        assertEquals(relative, mean.relative(), EPS);
    }

    private static void assertStats(StatsSummary s, int answers, double tokens, double words, double steps,
                                    double timeMs, double timePerWordMs, double repetition) {
        assertEquals(answers, s.answers());
        assertEquals(tokens, s.tokens(), EPS);
        assertEquals(words, s.words(), EPS);
        assertEquals(steps, s.steps(), EPS);
        assertEquals(timeMs, s.timePerAnswerMs(), EPS);
        assertEquals(timePerWordMs, s.timePerWordMs(), EPS);
        assertEquals(repetition, s.repetition(), EPS);
    }
}
