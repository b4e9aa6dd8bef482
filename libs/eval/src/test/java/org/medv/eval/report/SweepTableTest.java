package org.medv.eval.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SweepTableTest {
    static final List<SweepRow> ROWS = List.of(
            new SweepRow("gen=128,block=128,steps=128", null, 62.5, 4000, 0.02),
            new SweepRow("gen=128,block=32,steps=64", null, 58.25, 2100.5, 0.125),
            new SweepRow("gen=256,block=32,steps=64", null, 41.0, 4312.25, 0.375));

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
    void decodingModeKeysGetTheirColumnsAndTheReportedModeOneMore() {
        assertEquals("""
                | Gen length | Block length | Steps | Cache | Threshold | Refresh every | Mode | Score \
                | Time/answer (ms) | Repetition (%) |
                |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
                | 64 | 32 | 64 | none | 0 | 0 | exact | 60.00 | 900.0 | 2.0 |
                | 64 | 32 | 64 | dual | 0.9 | 8 | dual+t0.9/r8 | 55.00 | 300.0 | 4.0 |
                | 64 | 32 | 64 | prefix | 0.9 | 0 | - | 57.00 | 450.0 | 3.0 |
                """, SweepTable.render(List.of(
                new SweepRow("gen=64,block=32,steps=64,cache=none,threshold=0,refresh=0", "exact", 60, 900, 0.02),
                new SweepRow("gen=64,block=32,steps=64,cache=dual,threshold=0.9,refresh=8", "dual+t0.9/r8", 55, 300,
                        0.04),
                new SweepRow("gen=64,block=32,steps=64,cache=prefix,threshold=0.9,refresh=0", null, 57, 450,
                        0.03))));
    }

    @Test
    void freeFormLabelsGoInOneColumn() {
        assertEquals("""
                | Settings | Score | Time/answer (ms) | Repetition (%) |
                |---|---:|---:|---:|
                | fast preset | 50.00 | 900.0 | 10.0 |
                """, SweepTable.render(List.of(new SweepRow("fast preset", null, 50, 900, 0.1))));
    }

    @Test
    void rowFromAReport() {
        RunReport report = RunReport.aggregate("r1", ReportFixtures.results());
        SweepRow row = SweepRow.fromReport(report, report.judge().all().relative());
        assertEquals(ReportFixtures.SETTINGS, row.settings());
        assertEquals(ReportFixtures.MODE, row.mode());
        assertEquals(75.0, row.score(), 1e-9);
        assertEquals(3000.0, row.timePerAnswerMs(), 1e-9);
        assertEquals(0.2, row.repetition(), 1e-9);
    }
}
