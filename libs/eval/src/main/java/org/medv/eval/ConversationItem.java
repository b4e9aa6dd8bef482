package org.medv.eval;

/**
 * One question of LLaVA-Med's conversation benchmark ({@code llava_med_eval_qa50_qa.jsonl}).
 *
 * @param question         the question without the trailing {@code "\n<image>"} (v1.0.0's {@code text[:-8]})
 * @param inTextMention    the Python repr of the {@code in_text_mention} list (or {@code None}), as the review prompt
 *                         prints it
 * @param domain           the first true of chest_xray, mri, histology, gross, ct_scan (the benchmark's precedence)
 */
public record ConversationItem(String questionId, String image, String question, String gpt4Answer,
                               String figCaption, String figLabel, String inTextMention, String type, String domain) {
}
