package org.medv.eval.report;

import java.util.Map;

/**
 * The review grouped as the benchmark groups it: by question type (conversation, detailed_description), by domain
 * (the first true of chest_xray, mri, histology, gross, ct_scan) and over all questions.
 */
public record JudgeSummary(Map<String, JudgeMean> byType, Map<String, JudgeMean> byDomain, JudgeMean all) {
}
