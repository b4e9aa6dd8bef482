package org.medv.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep in the layout of the paper's Table 5: one row per generation setting (generation length, block length,
 * steps, and the decoding mode's cache, threshold and refresh interval when the sweep varies them), the decoding mode
 * the answers report (when known), then the score, the time per answer and the repetition. Settings labels that are
 * not all {@code k=v} lists go into a single "Settings" column.
 */
public final class SweepTable {
    private static final List<String> KNOWN_KEYS = List.of("gen", "block", "steps", "cache", "threshold", "refresh");
    private static final Map<String, String> TITLES = Map.of("gen", "Gen length", "block", "Block length",
            "steps", "Steps", "cache", "Cache", "threshold", "Threshold", "refresh", "Refresh every");

    private SweepTable() {
    }

    public static String render(List<SweepRow> rows) {
        boolean parsed = !rows.isEmpty() && rows.stream().noneMatch(r -> r.settingsMap().isEmpty());
        Set<String> keys = new LinkedHashSet<>();
        if (parsed) {
            KNOWN_KEYS.stream().filter(k -> rows.stream().anyMatch(r -> r.settingsMap().containsKey(k)))
                    .forEach(keys::add);
            rows.forEach(r -> keys.addAll(r.settingsMap().keySet()));
        }
        List<String> header = new ArrayList<>();
        if (parsed) {
            keys.forEach(k -> header.add(TITLES.getOrDefault(k, k)));
        } else {
            header.add("Settings");
        }
        boolean modes = rows.stream().anyMatch(r -> r.mode() != null);
        if (modes) {
            header.add("Mode");
        }
        header.addAll(List.of("Score", "Time/answer (ms)", "Repetition (%)"));
        MarkdownTable table = new MarkdownTable(header);
        for (SweepRow row : rows) {
            List<String> cells = new ArrayList<>();
            if (parsed) {
                Map<String, String> settings = row.settingsMap();
                keys.forEach(k -> cells.add(settings.getOrDefault(k, MarkdownTable.MISSING)));
            } else {
                cells.add(row.settings());
            }
            if (modes) {
                cells.add(row.mode() == null ? MarkdownTable.MISSING : row.mode());
            }
            cells.add(MarkdownTable.number(row.score()));
            cells.add(MarkdownTable.number(row.timePerAnswerMs(), 1));
            cells.add(MarkdownTable.number(row.repetition() * 100.0, 1));
            table.row(cells);
        }
        return table.render();
    }
}
