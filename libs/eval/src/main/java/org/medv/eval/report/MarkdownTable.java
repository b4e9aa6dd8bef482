package org.medv.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A GitHub-flavoured Markdown table: the first column left-aligned, the others right-aligned (numbers). */
final class MarkdownTable {
    static final String MISSING = "-";

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    MarkdownTable(List<String> header) {
        this.header = List.copyOf(header);
    }

    MarkdownTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        }
        rows.add(cells);
        return this;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        line(out, header);
        out.append("|---|").append("---:|".repeat(header.size() - 1)).append('\n');
        rows.forEach(r -> line(out, r));
        return out.toString();
    }

    /** Two decimals, or {@value #MISSING}. */
    static String number(Double value) {
        return value == null ? MISSING : String.format(Locale.ROOT, "%.2f", value);
    }

    static String number(Double value, int decimals) {
        return value == null ? MISSING : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell.replace("|", "\\|")).append(" |");
        }
        out.append('\n');
    }
}
