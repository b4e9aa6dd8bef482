package org.medv.eval.judge;

import org.medv.eval.ConversationItem;

import java.util.Objects;

/**
 * The two messages of the conversation benchmark's review request, as LLaVA-Med v1.0.0's
 * {@code eval_multimodal_chat_gpt_score.py} ({@code compare_messages_gen}, {@code conv_to_str}) and LLaDA-MedV's
 * {@code eval_vlm_chat_gpt_score.py} build them. Assistant 1 is the GPT-4 reference, assistant 2 the candidate.
 */
public final class ReviewPrompt {
    /** The benchmark's system message, including its stray leading single quote. */
    public static final String SYSTEM = "'You are a helpful and precise assistant for checking the quality of the answer.";

    private ReviewPrompt() {
    }

    /**
     * The user message: one string, fields inserted as Python's f-string would (a null prints as {@code None};
     * {@link ConversationItem#inTextMention()} already holds the list's Python repr).
     */
    public static String build(ConversationItem item, String candidateAnswer, String rubric) {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(candidateAnswer, "candidateAnswer");
        Objects.requireNonNull(rubric, "rubric");
        return "[Context]\n"
                + "Figure Caption:\n" + py(item.figLabel()) + ": " + py(item.figCaption()) + "\n\n"
                + "Figure Context:\n\t- " + py(item.inTextMention()) + "\n\n"
                + "[Question]\n" + py(item.question()) + "\n\n"
                + "[Assistant 1]\n" + py(item.gpt4Answer()) + "\n\n[End of Assistant 1]\n\n"
                + "[Assistant 2]\n" + candidateAnswer + "\n\n[End of Assistant 2]\n\n"
                + "[System]\n" + rubric + "\n\n";
    }

    private static String py(String value) {
        return value == null ? "None" : value;
    }
}
