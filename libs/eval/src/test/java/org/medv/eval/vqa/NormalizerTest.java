package org.medv.eval.vqa;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code normalize_word} rule by rule; each expectation is worked out from glossary.py's definition in the comment
 * (and was cross-checked against a Python port of it).
 */
class NormalizerTest {

    private static void normalizes(String input, String expected) {
        assertEquals(expected, Normalizer.normalizeWord(input), () -> "normalize_word(" + input + ")");
    }

    @Test
    void punctuationNextToASpaceInTheOriginalIsDeletedOtherwiseReplacedBySpace() {
        normalizes("yes,", "yes");                   // no ", " or " ,": comma -> space, then split
        normalizes("yes, it is", "yes it is");       // ", " present: comma deleted
        normalizes("left-sided", "left sided");      // "-" not next to a space: becomes a space
        normalizes("left - sided", "left sided");    // " -" present: deleted, the two spaces collapse in split
        normalizes("(a)", "");                       // "(" and ")" -> spaces, "a" is an article
        normalizes("a (b) c", "b c");                // " (" and ") " present: both deleted
        normalizes("x;y", "x y");
        normalizes("he said \"no\"!", "he said no"); // " \"" present: every double quote deleted; "!" -> space
    }

    @Test
    void theTestsLookAtTheOriginalStringNotTheWorkingCopy() {
        // "(" is replaced by a space first, which puts a space before "-" in the working copy; "-" is still
        // replaced (not deleted) because the original has neither "- " nor " -"
        normalizes("(-x", "x");
        // the original has "; " so ";" is deleted everywhere, including in "a;b"
        normalizes("a;b ; c", "ab c");
    }

    @Test
    void aDigitCommaDigitAnywhereDeletesEveryPunctuationMark() {
        normalizes("1,000", "1000");
        normalizes("1,000 cells, left-sided", "1000 cells leftsided");
        normalizes("3,4 and a-b", "34 and ab");
        normalizes("a,b", "b"); // no digit-comma-digit: comma -> space, "a" dropped
    }

    @Test
    void periodsNotBeforeADigitAreRemovedAtMost32Times() {
        normalizes("5.5 mm.", "5.5 mm");
        normalizes("3.", "3");
        normalizes(".5", ".5");
        normalizes("a. b. c", "b c");
        normalizes("x" + ".".repeat(32), "x");
        normalizes("x" + ".".repeat(40), "x" + ".".repeat(8)); // count = re.UNICODE = 32
        normalizes("no.".repeat(33), "nono".repeat(16) + "no.");
    }

    @Test
    void numberWordsArticlesAndContractions() {
        normalizes("two", "2");
        normalizes("None of the above", "0 of above");
        normalizes("Zero ONE ten eleven", "0 1 10 eleven");
        normalizes("an x-ray of the chest", "x ray of chest");
        normalizes("the dont", "don't");
        normalizes("isnt it", "isn't it");
        normalizes("somebody'd", "somebodyd");  // the table's typo, kept
        normalizes("Im here", "im here");       // capitalised keys never match lowercased words
        normalizes("let's", "let's");
    }

    @Test
    void whitespaceIsPythonsStrSplit() {
        normalizes("left\u00a0lung", "left lung");   // U+00A0 is whitespace for str.split(), not for Java's \s
        normalizes("  left \t\n lung  ", "left lung");
        normalizes("left\u200blung", "left\u200blung"); // zero-width space is not whitespace in Python
        normalizes("", "");
    }
}
