package org.medv.eval.io;

/**
 * One figure of {@code llava_med_eval_qa50_fig_captions.json}.
 *
 * @param domain        the key of the list the figure is filed under (chest_xray, ct_scan, gross, histology, mri)
 * @param inTextMention the Python repr of {@code in_text_mention}, as the review prompt prints it
 */
public record FigureCaption(String domain, String pairId, String pmid, String figId, String figLabel,
                            String figCaption, String inTextMention) {
}
