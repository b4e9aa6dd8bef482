package org.medv.eval.report;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MarkdownTablesTest {
    private final RunReport report = RunReport.aggregate("r1", ReportFixtures.results());

    @Test
    void rendersAllTablesOfARun() throws IOException {
        assertEquals(snapshot("run-r1.md"), MarkdownTables.render(report));
    }

    @Test
    void comparesRunsRowByRow() {
        RunReport other = RunReport.aggregate("baseline", List.of());
        assertEquals("""
                | Run | Conversation | Description | Chest X-ray | MRI | Histology | Gross | CT | Overall |
                |---|---:|---:|---:|---:|---:|---:|---:|---:|
                | r1 | 62.50 | 100.00 | 87.50 | 50.00 | - | - | - | 75.00 |
                | baseline | - | - | - | - | - | - | - | - |
                """, MarkdownTables.conversation(List.of(report, other)));
    }

    @Test
    void extraVqaDatasetsGetTheirOwnColumns() {
        RunReport custom = RunReport.aggregate("c", List.of(new org.medv.eval.QuestionResult("c", "my-set", "1",
                null, "yes", "yes", new org.medv.eval.VqaScore(org.medv.eval.AnswerType.CLOSED, true, 0, 0, 0, 0),
                null, null, null, null, null, null, null)));
        assertEquals("""
                | Run | VQA-RAD Open (recall) | VQA-RAD Closed (accuracy) | SLAKE Open (recall) | SLAKE Closed (accuracy) \
                | PathVQA Open (recall) | PathVQA Closed (accuracy) | my-set Open (recall) | my-set Closed (accuracy) |
                |---|---:|---:|---:|---:|---:|---:|---:|---:|
                | c | - | - | - | - | - | - | - | 100.00 |
                """, MarkdownTables.vqa(List.of(custom)));
    }

    static String snapshot(String name) throws IOException {
        try (InputStream in = MarkdownTablesTest.class.getResourceAsStream("/report/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
