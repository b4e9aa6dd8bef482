package org.medv.model.text;

import org.medv.model.InvalidRequestException;
import org.medv.model.config.SpecialTokens;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a conversation and a number of images into LLaDA prompt ids, as LLaVA-LLaDA's {@code conv_llava_llada}
 * ({@code SeparatorStyle.LLAMA_3}) plus {@code tokenizer_image_token} do at inference (notes §2.3, §2.4):
 * <pre>
 * &lt;|startoftext|&gt;&lt;|start_header_id|&gt;system&lt;|end_header_id|&gt;\n\n{SYSTEM}&lt;|eot_id|&gt;
 * &lt;|start_header_id|&gt;user&lt;|end_header_id|&gt;\n\n&lt;image&gt;\n{QUESTION}&lt;|eot_id|&gt;
 * &lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n
 * </pre>
 */
public final class PromptBuilder {

    /** {@code conv_llava_llada.system}, the system prompt of the MedV demo (not MedV's medical variant). */
    public static final String LLAVA_LLADA_SYSTEM_PROMPT = "You are a helpful language and vision assistant. "
            + "You are able to understand the visual content that the user provides, and assist the user with a "
            + "variety of tasks using natural language.";

    /** The suffix the MedV demo appends to each question ({@code test_lladamedv_vqa.py: build_question}). */
    public static final String MEDV_ANSWER_SUFFIX = " Answer concisely in English.";

    private final TextTokenizer tokenizer;
    private final int bosId;
    private final String systemPrompt;
    private final boolean keepImageNewline;

    /**
     * @param systemPrompt the system message; {@code null} renders none (our option: upstream's LLAMA_3
     *                     {@code get_prompt} always adds one, even an empty one, which {@code ""} reproduces)
     */
    public PromptBuilder(TextTokenizer tokenizer, SpecialTokens special, String systemPrompt) {
        this(tokenizer, special, systemPrompt, false);
    }

    /**
     * @param keepImageNewline keep the {@code "\n"} after each image that upstream inference drops (see
     *                         {@link ImagePlaceholder#tokenize(String, TextTokenizer, int, boolean)})
     */
    public PromptBuilder(TextTokenizer tokenizer, SpecialTokens special, String systemPrompt,
                         boolean keepImageNewline) {
        this(tokenizer, special.bos(), systemPrompt, keepImageNewline);
    }

    private PromptBuilder(TextTokenizer tokenizer, int bosId, String systemPrompt, boolean keepImageNewline) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.systemPrompt = systemPrompt;
        this.keepImageNewline = keepImageNewline;
    }

    /** This builder with another system message (null: none), everything else as it is. */
    public PromptBuilder withSystemPrompt(String system) {
        return new PromptBuilder(tokenizer, bosId, system, keepImageNewline);
    }

    /** The upstream default: {@link #LLAVA_LLADA_SYSTEM_PROMPT}. */
    public static PromptBuilder llavaLlada(TextTokenizer tokenizer, SpecialTokens special) {
        return new PromptBuilder(tokenizer, special, LLAVA_LLADA_SYSTEM_PROMPT);
    }

    /** No system message at all. */
    public static PromptBuilder withoutSystemPrompt(TextTokenizer tokenizer, SpecialTokens special) {
        return new PromptBuilder(tokenizer, special, null);
    }

    /** The demo's question text: {@code question.strip() + " Answer concisely in English."}. */
    public static String medvQuestion(String question) {
        return PyStrings.strip(question) + MEDV_ANSWER_SUFFIX;
    }

    /** The system prompt, or null when none is rendered. */
    public String systemPrompt() {
        return systemPrompt;
    }

    /**
     * The messages the template receives: the system message (if any), then {@code turns} with
     * {@code "<image>\n"} once per image at the start of the first user turn ({@code DEFAULT_IMAGE_TOKEN + "\n" +
     * question} upstream). Empty turns are left out, as upstream's {@code if message:} does.
     *
     * @throws InvalidRequestException if there are no turns, a turn is a system message, a turn already contains
     *                                 {@code <image>}, or images come without a user turn
     */
    public List<ChatMessage> messages(List<ChatMessage> turns, int numImages) {
        validate(turns, numImages);
        List<ChatMessage> out = new ArrayList<>(turns.size() + 1);
        if (systemPrompt != null) {
            out.add(ChatMessage.system(systemPrompt));
        }
        boolean placed = numImages == 0;
        for (ChatMessage turn : turns) {
            ChatMessage m = turn;
            if (!placed && turn.role() == ChatMessage.Role.USER) {
                String images = (ImagePlaceholder.DEFAULT_IMAGE_TOKEN + "\n").repeat(numImages);
                m = ChatMessage.user(images + turn.content());
                placed = true;
            }
            if (!m.content().isEmpty()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The rendered prompt text (placeholders still as {@code <image>}). */
    public String render(List<ChatMessage> turns, int numImages) {
        return ChatTemplate.render(messages(turns, numImages));
    }

    /** Prompt ids with one {@link ImagePlaceholder#IMAGE_TOKEN_INDEX} per image, in the first user turn. */
    public int[] promptIds(List<ChatMessage> turns, int numImages) {
        return ImagePlaceholder.tokenize(render(turns, numImages), tokenizer, bosId, keepImageNewline);
    }

    /** Prompt ids of a single user question with {@code numImages} images. */
    public int[] promptIds(String question, int numImages) {
        return promptIds(List.of(ChatMessage.user(question)), numImages);
    }

    /** Prompt ids of a text-only conversation. */
    public int[] textPromptIds(List<ChatMessage> turns) {
        return promptIds(turns, 0);
    }

    private static void validate(List<ChatMessage> turns, int numImages) {
        if (numImages < 0) {
            throw new InvalidRequestException("images", "the number of images must be >= 0, got " + numImages);
        }
        if (turns == null || turns.isEmpty()) {
            throw new InvalidRequestException("messages", "at least one user message is required");
        }
        boolean hasUser = false;
        for (ChatMessage t : turns) {
            if (t.role() == ChatMessage.Role.SYSTEM) {
                throw new InvalidRequestException("messages",
                        "system messages are not turns: the system prompt is configured on the prompt builder");
            }
            if (t.content().contains(ImagePlaceholder.DEFAULT_IMAGE_TOKEN)) {
                // each <image> becomes a placeholder id; a stray one would not match the attached images
                throw new InvalidRequestException("messages", "message text must not contain "
                        + ImagePlaceholder.DEFAULT_IMAGE_TOKEN + "; images are attached separately");
            }
            hasUser |= t.role() == ChatMessage.Role.USER;
        }
        if (numImages > 0 && !hasUser) {
            throw new InvalidRequestException("messages", "images need a user message to attach to");
        }
    }
}
