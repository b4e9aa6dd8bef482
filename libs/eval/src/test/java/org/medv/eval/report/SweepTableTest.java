package org.medv.eval.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SweepTableTest {
    static final List<SweepRow> ROWS = List.of(
            new SweepRow("gen=128,block=128,steps=128", 62.5, 4000, 0.02),
            new SweepRow("gen=128,block=32,steps=64", 58.25, 2100.5, 0.125),
            new SweepRow("gen=256,block=32,steps=64", 41.0, 4312.25, 0.375));

    @Test
    void rendersTheTable5Layout() {
        assertEquals("""
                | Gen length | Block length | Steps | Score | Time/answer (ms) | Repetition (%) |
                |---|---:|---:|---:|---:|---:|
                | 128 | 128 | 128 | 62.50 | 4000.0 | 2.0 |
                | 128 | 32 | 64 | 58.25 | 2100.5 | 12.5 |
                | 256 | 32 | 64 | 41.00 | 4312.3 | 37.5 |
                """, SweepTable.render(ROWS));
    }

    @Test
    void freeFormLabelsGoInOneColumn() {
        assertEquals("""
                | Settings | Score | Time/answer (ms) | Repetition (%) |
                |---|---:|---:|---:|
                | fast preset | 50.00 | 900.0 | 10.0 |
                """, SweepTable.render(List.of(new SweepRow("fast preset", 50, 900, 0.1))));
    }

    @Test
    void rowFromAReport() {
        RunReport report = RunReport.aggregate("r1", ReportFixtures.results());
        SweepRow row = SweepRow.fromReport(report, report.judge().all().relative());
        assertEquals(ReportFixtures.SETTINGS, row.settings());
        assertEquals(75.0, row.score(), 1e-9);
        assertEquals(3000.0, row.timePerAnswerMs(), 1e-9);
        assertEquals(0.2, row.repetition(), 1e-9);
    }
}
