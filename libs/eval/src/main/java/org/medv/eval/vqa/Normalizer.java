package org.medv.eval.vqa;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LLaVA-Med v1.0.0's answer normalisation, {@code normalize_word} in {@code llava/eval/eval_metrics/glossary.py},
 * quirks included (reference notes §6.1):
 * <ol>
 *   <li>each punctuation mark is deleted when the <em>original</em> string has it next to a space or contains a
 *       digit-comma-digit anywhere, else replaced by a space (the edits go to a working copy);</li>
 *   <li>periods not followed by a digit are removed, but only the first 32: the call passes {@code re.UNICODE} (32)
 *       as {@code re.sub}'s positional {@code count};</li>
 *   <li>lowercase and split on whitespace; number words become digits; articles are dropped; contractions are
 *       restored;</li>
 *   <li>join with single spaces and remove any comma left.</li>
 * </ol>
 * Python semantics are kept where they differ from Java's defaults: {@code \d} is any Unicode decimal digit, and
 * {@code str.split()} splits on every character for which {@code str.isspace()} holds.
 */
public final class Normalizer {
    /** {@code comma_strip = re.compile("(\d)(\,)(\d)")}. */
    private static final Pattern DIGIT_COMMA_DIGIT = Pattern.compile("\\p{Nd},\\p{Nd}");
    /**
     * {@code period_strip = re.compile("(?!<=\d)(\.)(?!\d)")}: the leading {@code (?!<=\d)} is a typo'd lookbehind
     * that is really a lookahead for the literal text "&lt;=" plus a digit; it can never fail where the next
     * character is the period itself, so the pattern is a period not followed by a digit.
     */
    private static final Pattern PERIOD = Pattern.compile("\\.(?!\\p{Nd})");
    /** {@code re.UNICODE == 32}, passed where {@code count} is expected. */
    static final int PERIOD_REPLACEMENTS = 32;

    private Normalizer() {
    }

    /** {@code normalize_word(token)}. */
    public static String normalizeWord(String token) {
        String working = stripPunctuation(token);
        working = stripPeriods(working);
        List<String> words = new ArrayList<>();
        for (String word : pythonSplit(working.toLowerCase(Locale.ROOT))) {
            word = Glossary.NUMBER_WORDS.getOrDefault(word, word);
            if (!Glossary.ARTICLES.contains(word)) {
                words.add(word);
            }
        }
        words.replaceAll(word -> Glossary.CONTRACTIONS.getOrDefault(word, word));
        return String.join(" ", words).replace(",", "");
    }

    /** Step 1: the tests look at the original string, the edits accumulate on the working copy. */
    private static String stripPunctuation(String original) {
        boolean digitCommaDigit = DIGIT_COMMA_DIGIT.matcher(original).find();
        String working = original;
        for (String p : Glossary.PUNCTUATION) {
            boolean delete = original.contains(p + " ") || original.contains(" " + p) || digitCommaDigit;
            working = working.replace(p, delete ? "" : " ");
        }
        return working;
    }

    /** Step 2: {@code period_strip.sub("", s, re.UNICODE)}, i.e. at most 32 leftmost matches removed. */
    private static String stripPeriods(String s) {
        Matcher m = PERIOD.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        int replaced = 0;
        while (replaced < PERIOD_REPLACEMENTS && m.find()) {
            m.appendReplacement(out, "");
            replaced++;
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Python's {@code str.split()} without arguments: runs of whitespace separate, no empty words. */
    static List<String> pythonSplit(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isPythonSpace(cp)) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    /** Python's {@code str.isspace()} for one code point (the full list for Unicode as of Python 3.10 to 3.12). */
    static boolean isPythonSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f
                || cp == 0x205f || cp == 0x3000;
    }
}
