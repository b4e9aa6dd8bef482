package org.medv.serving;

import org.medv.model.text.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The progressive answer as text: committed tokens decoded, each masked position shown as a placeholder, and the
 * committed prefix (the text of the leading tokens before the first mask or the stop, see {@link CommittedText}),
 * which later steps only extend.
 */
public final class Drafts {
    /** What a client sees in place of one masked token. */
    public static final String PLACEHOLDER = "\u2591";

    private Drafts() {
    }

    public record Draft(String text, String committedPrefix) {
    }

    /**
     * @param ids          the answer region; {@code maskId} at masked positions
     * @param stopPosition where a found stop sequence starts (the draft ends there), or -1
     * @param stops        the stop sequences of the request (the model's defaults resolved)
     */
    public static Draft render(TextTokenizer tokenizer, int[] ids, int maskId, int stopPosition,
                               List<List<Integer>> stops) {
        int end = stopPosition >= 0 ? Math.min(stopPosition, ids.length) : ids.length;
        StringBuilder text = new StringBuilder();
        List<Integer> run = new ArrayList<>();
        int firstMask = -1;
        for (int i = 0; i < end; i++) {
            if (ids[i] == maskId) {
                if (firstMask < 0) {
                    firstMask = i;
                }
                text.append(decode(tokenizer, run)).append(PLACEHOLDER);
                run.clear();
            } else {
                run.add(ids[i]);
            }
        }
        text.append(decode(tokenizer, run));
        int prefixEnd = firstMask < 0 ? end : firstMask;
        return new Draft(text.toString(), CommittedText.of(tokenizer, Arrays.copyOf(ids, prefixEnd), stops));
    }

    /**
     * The draft position by position, for clients that show each token: each committed id decoded alone, the
     * placeholder where masked, ending where {@link #render} ends (at a found stop).
     */
    public static List<String> tokens(Pieces pieces, int[] ids, int maskId, int stopPosition) {
        int end = stopPosition >= 0 ? Math.min(stopPosition, ids.length) : ids.length;
        List<String> out = new ArrayList<>(end);
        for (int i = 0; i < end; i++) {
            out.add(ids[i] == maskId ? PLACEHOLDER : pieces.of(ids[i]));
        }
        return out;
    }

    /**
     * Each token id's text alone (special tokens as ""), decoded once per id: a draft repeats most ids of the one
     * before, and the vocabulary bounds the cache.
     */
    public static final class Pieces {
        private final TextTokenizer tokenizer;
        private final Map<Integer, String> cache = new ConcurrentHashMap<>();

        public Pieces(TextTokenizer tokenizer) {
            this.tokenizer = tokenizer;
        }

        public String of(int id) {
            return cache.computeIfAbsent(id, i -> decode(tokenizer, List.of(i)));
        }
    }

    private static String decode(TextTokenizer tokenizer, List<Integer> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        int[] a = ids.stream().mapToInt(Integer::intValue).toArray();
        if (tokenizer == null) {
            StringBuilder sb = new StringBuilder();
            for (int id : a) {
                sb.append('[').append(id).append(']');
            }
            return sb.toString();
        }
        return tokenizer.decode(a, true);
    }
}
