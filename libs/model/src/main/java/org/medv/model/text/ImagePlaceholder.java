package org.medv.model.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code <image>} placeholder and upstream's tokenisation around it ({@code llava/constants.py},
 * {@code llava/mm_utils.py: tokenizer_image_token}; notes §2.4). Each {@link #IMAGE_TOKEN_INDEX} in the ids is later
 * replaced by that image's projected feature rows.
 */
public final class ImagePlaceholder {

    /** The placeholder id ({@code IMAGE_TOKEN_INDEX}); negative, so it can never be a real token. */
    public static final int IMAGE_TOKEN_INDEX = -200;

    /** The placeholder text in a prompt ({@code DEFAULT_IMAGE_TOKEN}). */
    public static final String DEFAULT_IMAGE_TOKEN = "<image>";

    private static final Pattern SPLIT = Pattern.compile(Pattern.quote(DEFAULT_IMAGE_TOKEN));

    private ImagePlaceholder() {
    }

    /** How many placeholders {@code text} contains. */
    public static int count(String text) {
        return SPLIT.split(text, -1).length - 1;
    }

    /**
     * Upstream {@code tokenizer_image_token}, step for step:
     * <pre>
     * chunks = [tokenizer(c).input_ids for c in prompt.split("&lt;image&gt;")]
     * offset = 1 if chunks[0] and chunks[0][0] == bos else 0;  ids = [bos] if offset else []
     * for x in chunks interleaved with [-200] * (offset + 1): ids += x[offset:]
     * </pre>
     * With LLaDA the rendered prompt starts with the literal {@code <|startoftext|>}, so offset is 1 and every chunk
     * loses its first token. For the chunks after an {@code <image>} that first token is the {@code "\n"} of
     * {@code "<image>\n" + question}: the newline after each image is dropped. This is an upstream quirk (training
     * keeps that newline) that we reproduce on purpose, because it is what the released model saw at inference.
     *
     * @param bosId the tokenizer's BOS id ({@code tokenizer.bos_token_id})
     */
    public static int[] tokenize(String prompt, TextTokenizer tokenizer, int bosId) {
        return tokenize(prompt, tokenizer, bosId, false);
    }

    /**
     * As {@link #tokenize(String, TextTokenizer, int)}, or, with {@code keepImageNewline}, keeping the first token of
     * every chunk after an image (the {@code "\n"} that training keeps; a BOS the tokenizer adds is still dropped):
     * the prompt a model trained by medv saw, since its trainer tokenizes as upstream's training does.
     */
    public static int[] tokenize(String prompt, TextTokenizer tokenizer, int bosId, boolean keepImageNewline) {
        // limit -1 keeps trailing empty chunks, as Python's str.split does
        String[] parts = SPLIT.split(prompt, -1);
        List<int[]> chunks = new ArrayList<>(parts.length);
        for (String part : parts) {
            // tokenizer(chunk) uses add_special_tokens=True: apply whatever post-processor tokenizer.json declares
            chunks.add(tokenizer.encode(part, true));
        }
        int[] first = chunks.get(0);
        int offset = first.length > 0 && first[0] == bosId ? 1 : 0;
        IntList ids = new IntList();
        if (offset == 1) {
            ids.add(first[0]);
        }
        for (int c = 0; c < chunks.size(); c++) {
            if (c > 0) {
                // the separator is [-200] * (offset + 1), sliced by [offset:] like the chunks: one -200 either way
                ids.add(IMAGE_TOKEN_INDEX);
            }
            int[] chunk = chunks.get(c);
            int from = c > 0 && keepImageNewline ? (chunk.length > 0 && chunk[0] == bosId ? 1 : 0) : offset;
            for (int i = from; i < chunk.length; i++) {
                ids.add(chunk[i]);
            }
        }
        return ids.toArray();
    }

    /** A growable int array, to keep ids unboxed. */
    private static final class IntList {
        private int[] data = new int[64];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
