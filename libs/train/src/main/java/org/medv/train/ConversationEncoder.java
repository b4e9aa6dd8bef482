package org.medv.train;

import org.medv.model.config.SpecialTokens;
import org.medv.model.text.ImagePlaceholder;
import org.medv.model.text.PromptBuilder;
import org.medv.model.text.TextTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LLaVA instruction entries to {@link TrainingExample}s, as LLaDA-V's {@code train.py: preprocess_llada} (and MedV's
 * {@code preprocess_llada_med}) do (notes §5):
 * <ul>
 *   <li>the system message, then each turn, encoded as
 *   {@code <|startoftext|><|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>}, the BOS kept on the
 *   system turn only, no trim;</li>
 *   <li>system and user turns labelled {@code -100}; whole assistant turns, header tokens included, labelled;</li>
 *   <li>then every BOS / start_header / end_header / eot anywhere gets its own id as label (so the prompt's
 *   structure tokens are maskable too; upstream's {@code "\n\n"} entry resolves to no id and is ignored);</li>
 *   <li>{@code <image>} (an added special token upstream) becomes {@code -200}; the {@code "\n"} after it stays,
 *   unlike inference (§2.4);</li>
 *   <li>padded with EOS to {@code padTo} ids, labels EOS too (the collator pads labels with {@code pad_token_id}),
 *   so padding counts as answer length. A longer conversation is rejected (upstream's collator cuts it at
 *   {@code model_max_length}, which can drop the image placeholder and the answer).</li>
 * </ul>
 */
public final class ConversationEncoder {
    /** {@code conv_llava_llada_med.system}: MedV's SFT system prompt. */
    public static final String MEDV_SYSTEM_PROMPT = "You are a helpful medical language and vision assistant. "
            + "You are able to understand the visual content that the user provides, and assist the user with a "
            + "variety of tasks using natural language.";

    private static final Map<String, String> ROLES = Map.of("human", "user", "gpt", "assistant");

    private final TextTokenizer tokenizer;
    private final SpecialTokens special;
    private final String systemPrompt;
    private final int padTo;

    /**
     * @param systemPrompt the system message (upstream always renders one), or null for none: then the first turn
     *                     carries the BOS, as {@link PromptBuilder} renders such a prompt at inference
     * @param padTo        fixed length in ids (before the image is expanded), or 0 for no padding
     */
    public ConversationEncoder(TextTokenizer tokenizer, SpecialTokens special, String systemPrompt, int padTo) {
        if (padTo < 0) {
            throw new IllegalArgumentException("padTo must be >= 0, got " + padTo);
        }
        this.tokenizer = tokenizer;
        this.special = special;
        this.systemPrompt = systemPrompt;
        this.padTo = padTo;
    }

    /** Encodes every entry; images resolve against {@code imageDir}. Errors name the file and entry. */
    public List<TrainingExample> encodeAll(Path file, List<LlavaInstruction> entries, Path imageDir) {
        List<TrainingExample> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            LlavaInstruction e = entries.get(i);
            try {
                out.add(encode(e, imageDir));
            } catch (IllegalArgumentException ex) {
                throw TrainingDataException.entry(file, i, e.id(), ex.getMessage());
            }
        }
        return out;
    }

    /** One entry; throws IllegalArgumentException (with the reason) for an entry that cannot be used. */
    public TrainingExample encode(LlavaInstruction entry, Path imageDir) {
        List<LlavaInstruction.Turn> turns = normalised(entry);
        int placeholders = turns.stream().mapToInt(t -> ImagePlaceholder.count(t.value())).sum();
        int images = entry.image() == null ? 0 : 1;
        if (placeholders != images) {
            throw new IllegalArgumentException("the conversation has " + placeholders + " " + ImagePlaceholder
                    .DEFAULT_IMAGE_TOKEN + " placeholder(s) but " + images + " image(s)");
        }
        IntBuffer ids = new IntBuffer();
        IntBuffer labels = new IntBuffer();
        // the system turn keeps its BOS; it carries no labels
        if (systemPrompt != null) {
            int[] sys = turn("system", systemPrompt, true);
            ids.addAll(sys);
            labels.fill(TrainingExample.IGNORE_INDEX, sys.length);
        }
        for (LlavaInstruction.Turn t : turns) {
            String role = ROLES.getOrDefault(t.from(), t.from());
            // apply_chat_template(conv)[1:]: BOS dropped, except on the first turn of a prompt without system turn
            int[] enc = turn(role, t.value(), ids.size() == 0);
            ids.addAll(enc);
            if (role.equals("user") || role.equals("system")) {
                labels.fill(TrainingExample.IGNORE_INDEX, enc.length);
            } else {
                labels.addAll(enc);
            }
        }
        int[] in = ids.toArray();
        int[] lab = labels.toArray();
        Set<Integer> structural = Set.of(special.bos(), special.startHeader(), special.endHeader(), special.eot());
        for (int i = 0; i < in.length; i++) {
            if (structural.contains(in[i])) {
                lab[i] = in[i];
            }
        }
        if (padTo > 0 && in.length > padTo) {
            // upstream cuts silently (and could cut the image placeholder away): an entry that does not fit is an error
            throw new IllegalArgumentException("the conversation is " + in.length + " ids, more than pad_to=" + padTo);
        }
        if (padTo > 0) {
            int[][] padded = EosPadding.withEos(in, lab, padTo, special.eos());
            in = padded[0];
            lab = padded[1];
        }
        Path image = entry.image() == null ? null
                : imageDir == null ? Path.of(entry.image()) : imageDir.resolve(entry.image());
        return new TrainingExample(entry.id(), in, lab, image);
    }

    /**
     * The turns upstream hands to {@code preprocess_llada}: a leading non-human turn is dropped ({@code if
     * roles[source[0]["from"]] != roles["human"]: source = source[1:]}), and a single {@code <image>} that is not at
     * the start of its turn is moved there followed by "\n" (LLaVA-NeXT {@code train.py: preprocess_multimodal}).
     */
    private static List<LlavaInstruction.Turn> normalised(LlavaInstruction entry) {
        List<LlavaInstruction.Turn> turns = new ArrayList<>(entry.conversations());
        if (!ROLES.getOrDefault(turns.get(0).from(), turns.get(0).from()).equals("user")) {
            turns.remove(0);
        }
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("the conversation has no user turn");
        }
        String tag = ImagePlaceholder.DEFAULT_IMAGE_TOKEN;
        for (int i = 0; i < turns.size(); i++) {
            LlavaInstruction.Turn t = turns.get(i);
            if (ImagePlaceholder.count(t.value()) == 1 && !t.value().startsWith(tag)) {
                String moved = (tag + "\n" + t.value().replace(tag, "").strip()).strip();
                turns.set(i, new LlavaInstruction.Turn(t.from(), moved));
            }
        }
        return turns;
    }

    /** One turn's ids; {@code <image>} (an added special token upstream) becomes -200 without touching its "\n". */
    private int[] turn(String role, String content, boolean withBos) {
        String text = (withBos ? SpecialTokens.BOS_TEXT : "") + SpecialTokens.START_HEADER_TEXT + role
                + SpecialTokens.END_HEADER_TEXT + "\n\n" + content + SpecialTokens.EOT_TEXT;
        // an added token splits the text before the model sees it: encoding the pieces separately is the same
        String[] pieces = text.split(java.util.regex.Pattern.quote(ImagePlaceholder.DEFAULT_IMAGE_TOKEN), -1);
        IntBuffer out = new IntBuffer();
        for (int p = 0; p < pieces.length; p++) {
            if (p > 0) {
                out.add(ImagePlaceholder.IMAGE_TOKEN_INDEX);
            }
            out.addAll(tokenizer.encode(pieces[p]));
        }
        return out.toArray();
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] data = new int[256];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        void fill(int v, int n) {
            for (int i = 0; i < n; i++) {
                add(v);
            }
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
