package org.medv.eval.report;

import org.medv.eval.AnswerType;
import org.medv.eval.JudgeScore;
import org.medv.eval.QuestionResult;
import org.medv.eval.ResponseStats;
import org.medv.eval.VqaScore;

import java.util.List;

/**
 * A small run with hand-computed aggregates: four VQA-RAD answers (two closed.side, two open.findings), one SLAKE
 * answer (no kind), four conversation-benchmark
 * answers (one whose judging failed).
 */
final class ReportFixtures {
    static final String SETTINGS = "gen=128,block=64,steps=128";
    static final String MODE = "prefix+t0.9";

    private ReportFixtures() {
    }

    static List<QuestionResult> results() {
        return List.of(
                vqa("vqa-rad", "1", "closed.side", new VqaScore(AnswerType.CLOSED, true, 0, 0, 0, 0),
                        new ResponseStats(10, 5, 128, 1000, 0.0)),
                vqa("vqa-rad", "2", "closed.side", new VqaScore(AnswerType.CLOSED, false, 0, 0, 0, 0),
                        new ResponseStats(20, 10, 128, 3000, 0.5)),
                vqa("vqa-rad", "3", "open.findings", new VqaScore(AnswerType.OPEN, false, 0.5, 0.25, 1.0 / 3, 0.25),
                        new ResponseStats(30, 15, 128, 2000, 0.25)),
                vqa("vqa-rad", "4", "open.findings", new VqaScore(AnswerType.OPEN, false, 1.0, 0.5, 2.0 / 3, 0.5),
                        new ResponseStats(40, 20, 128, 2000, 0.25)),
                vqa("slake", "5", null, new VqaScore(AnswerType.CLOSED, true, 0, 0, 0, 0), null),
                judged("c1", new JudgeScore(8, 6), "conversation", "chest_xray",
                        new ResponseStats(100, 60, 64, 5000, 0.1), null),
                judged("c2", new JudgeScore(10, 5), "conversation", "mri",
                        new ResponseStats(120, 80, 64, 7000, 0.3), null),
                judged("c3", new JudgeScore(5, 5), "detailed_description", "chest_xray",
                        new ResponseStats(80, 60, 64, 3000, 0.2), null),
                judged("c4", null, "conversation", "ct_scan",
                        new ResponseStats(100, 0, 64, 1000, 0.0), "judge: HTTP 429 after 7 attempts"));
    }

    private static QuestionResult vqa(String dataset, String id, String kind, VqaScore score, ResponseStats stats) {
        return new QuestionResult("r1", dataset, id, SETTINGS, "prediction", "truth", score, null, null, null, stats,
                null, kind, MODE);
    }

    private static QuestionResult judged(String id, JudgeScore score, String type, String domain, ResponseStats stats,
                                         String error) {
        return new QuestionResult("r1", "qa50", id, SETTINGS, "answer", "reference", null, score, type, domain, stats,
                error, null, MODE);
    }
}
