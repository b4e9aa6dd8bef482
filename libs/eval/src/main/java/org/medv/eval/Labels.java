package org.medv.eval;

/**
 * The evaluation labels a request carries in {@code ClientMetadata.labels} (and so in its {@code medv.answers}
 * record): the evaluator scores every answer that has {@link #RUN_ID} and {@link #QUESTION_ID}.
 */
public final class Labels {
    public static final String RUN_ID = "run_id";
    public static final String DATASET = "dataset";          // vqa-rad, slake, pathvqa, qa50, or any name
    public static final String QUESTION_ID = "question_id";
    // VQA datasets
    public static final String GROUND_TRUTH = "ground_truth";
    public static final String ANSWER_TYPE = "answer_type";  // CLOSED or OPEN
    public static final String QUESTION_KIND = "question_kind"; // optional template name, e.g. open.findings
    // the LLaVA-Med conversation benchmark (qa50)
    public static final String QUESTION = "question";
    public static final String GPT4_ANSWER = "gpt4_answer";
    public static final String FIG_CAPTION = "fig_caption";
    public static final String FIG_LABEL = "fig_label";
    public static final String IN_TEXT_MENTION = "in_text_mention"; // Python repr of the list, as the benchmark prints it
    public static final String TYPE = "type";                // conversation / detailed_description
    public static final String DOMAIN = "domain";            // first true of chest_xray, mri, histology, gross, ct_scan
    // the generation settings of the run (for sweeps)
    public static final String SETTINGS = "settings";        // e.g. gen=128,block=64,steps=128

    private Labels() {
    }
}
