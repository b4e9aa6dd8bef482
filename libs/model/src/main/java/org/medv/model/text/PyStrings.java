package org.medv.model.text;

/** The two bits of Python string behaviour that upstream's prompt and answer handling relies on. */
final class PyStrings {
    private PyStrings() {
    }

    /**
     * Python's {@code str.strip()}, which Jinja's {@code | trim} also calls. Java's {@link String#strip()} differs:
     * Python also strips no-break spaces (U+00A0, U+2007, U+202F) and NEL (U+0085).
     */
    static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isSpace(s.charAt(begin))) {
            begin++;
        }
        while (end > begin && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(begin, end);
    }

    /** Python's {@code str.isspace()} for one char: category Zs/Zl/Zp or bidi class WS, B, S. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /**
     * transformers' {@code PreTrainedTokenizerBase.clean_up_tokenization}, applied by {@code decode} only when the
     * tokenizer config sets {@code clean_up_tokenization_spaces}.
     */
    static String cleanUpTokenization(String s) {
        return s.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }
}
