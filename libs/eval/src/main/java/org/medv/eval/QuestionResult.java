package org.medv.eval;

/**
 * One scored answer of a run: what the evaluator writes to {@code medv.scores} (keyed by run and question) and
 * aggregates into reports. {@code vqa} is null for judge-scored questions, {@code judge} null for VQA ones or when
 * judging failed ({@code error} says why). {@code kind} is the question's template name when its dataset names one
 * ({@code question_kind}, e.g. {@code open.findings}), else null. {@code mode} is the decoding mode the answer record
 * says produced the answer, as {@code GenerationOptions.modeName()} words it ({@code exact}, {@code dual},
 * {@code prefix+t0.9}, {@code dual/r8}); null when the record carries no options.
 */
public record QuestionResult(String runId, String dataset, String questionId, String settings, String prediction,
                             String groundTruth, VqaScore vqa, JudgeScore judge, String judgeType, String domain,
                             ResponseStats stats, String error, String kind, String mode) {
}
