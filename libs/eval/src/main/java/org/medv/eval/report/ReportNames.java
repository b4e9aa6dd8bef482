package org.medv.eval.report;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Canonical keys, their order in the paper's tables and their column titles. */
public final class ReportNames {
    /** VQA datasets in the paper's column order ({@code Labels.DATASET} values). */
    public static final List<String> VQA_DATASETS = List.of("vqa-rad", "slake", "pathvqa");
    /** Question types of the conversation benchmark. */
    public static final List<String> TYPES = List.of("conversation", "detailed_description");
    /** Domains in the benchmark's precedence order. */
    public static final List<String> DOMAINS = List.of("chest_xray", "mri", "histology", "gross", "ct_scan");
    public static final String ALL = "all";
    public static final String OVERALL = "overall";
    public static final String UNKNOWN = "unknown";

    private static final Map<String, String> TITLES = Map.ofEntries(
            Map.entry("vqa-rad", "VQA-RAD"), Map.entry("slake", "SLAKE"), Map.entry("pathvqa", "PathVQA"),
            Map.entry("qa50", "Conversation benchmark"),
            Map.entry("conversation", "Conversation"), Map.entry("detailed_description", "Description"),
            Map.entry("chest_xray", "Chest X-ray"), Map.entry("mri", "MRI"), Map.entry("histology", "Histology"),
            Map.entry("gross", "Gross"), Map.entry("ct_scan", "CT"),
            Map.entry(ALL, "Overall"), Map.entry(OVERALL, "Overall"));

    private ReportNames() {
    }

    /** The display title of a key, or the key itself. */
    public static String title(String key) {
        return TITLES.getOrDefault(key, key);
    }

    /** Keys listed in {@code known} first, in that order, then the rest alphabetically. */
    public static Comparator<String> order(List<String> known) {
        return Comparator.<String>comparingInt(k -> known.contains(k) ? known.indexOf(k) : known.size())
                .thenComparing(Comparator.naturalOrder());
    }
}
