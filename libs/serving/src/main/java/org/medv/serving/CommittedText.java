package org.medv.serving;

import org.medv.model.text.TextTokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The text of an answer's committed prefix (the leading ids before the first masked position) that no later step can
 * change: it only grows, and the final answer text starts with it. Decoding a prefix of ids is not enough for that,
 * so three things are held back until later ids settle them:
 * <ul>
 *   <li>a trailing run of ids that begins a stop sequence (the answer would be cut before it);</li>
 *   <li>trailing U+FFFD, a multi-byte character whose remaining bytes are in the next ids (byte-level BPE decodes
 *       an incomplete UTF-8 sequence as U+FFFD, then as the character once it is complete);</li>
 *   <li>trailing whitespace (the final answer is stripped) and a trailing {@code " n"}, {@code " '"},
 *       {@code " n'"}, {@code " 'v"} or {@code " 'r"}, which {@code clean_up_tokenization_spaces} would merge with
 *       the next id's text ({@code " n't"} becomes {@code "n't"}).</li>
 * </ul>
 * Leading whitespace is dropped, as the final answer's {@code strip()} drops it.
 */
public final class CommittedText {
    /** Tails that {@code clean_up_tokenization} could still rewrite once the next text arrives. */
    private static final List<String> CLEAN_UP_TAILS = List.of(" n'", " 'v", " 'r", " n", " '");

    private CommittedText() {
    }

    /**
     * @param prefixIds the committed prefix's ids
     * @param stops     the stop sequences the sampler looks for (the model's defaults resolved)
     */
    public static String of(TextTokenizer tokenizer, int[] prefixIds, List<List<Integer>> stops) {
        int[] ids = Arrays.copyOf(prefixIds, prefixIds.length - stopPrefix(prefixIds, stops));
        String text = decode(tokenizer, ids);
        int begin = 0;
        while (begin < text.length() && isSpace(text.charAt(begin))) {
            begin++;
        }
        return settled(text.substring(begin));
    }

    /** Length of the longest suffix of {@code ids} that is a proper prefix of a stop sequence. */
    static int stopPrefix(int[] ids, List<List<Integer>> stops) {
        int held = 0;
        for (List<Integer> stop : stops) {
            for (int k = Math.min(stop.size() - 1, ids.length); k > held; k--) {
                if (endsWith(ids, stop.subList(0, k))) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private static boolean endsWith(int[] ids, List<Integer> seq) {
        int from = ids.length - seq.size();
        for (int j = 0; j < seq.size(); j++) {
            if (ids[from + j] != seq.get(j)) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} without the trailing part that later text could still change. */
    private static String settled(String text) {
        int end = text.length();
        boolean cut = true;
        while (cut) {
            cut = false;
            while (end > 0 && (text.charAt(end - 1) == '\uFFFD' || isSpace(text.charAt(end - 1)))) {
                end--;
            }
            for (String tail : CLEAN_UP_TAILS) {
                if (end >= tail.length() && text.startsWith(tail, end - tail.length())) {
                    end -= tail.length();
                    cut = true;
                    break;
                }
            }
        }
        return text.substring(0, end);
    }

    private static String decode(TextTokenizer tokenizer, int[] ids) {
        if (ids.length == 0) {
            return "";
        }
        if (tokenizer == null) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append('[').append(id).append(']');
            }
            return sb.toString();
        }
        return tokenizer.decode(ids, true);
    }

    /** Python's {@code str.isspace()} for one char, as the final answer's {@code strip()} uses it. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
