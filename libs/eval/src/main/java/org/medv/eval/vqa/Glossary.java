package org.medv.eval.vqa;

import java.util.List;
import java.util.Map;

/**
 * The word lists of LLaVA-Med v1.0.0's {@code llava/eval/eval_metrics/glossary.py} (themselves the VQA v2 evaluation's
 * lists), which {@link Normalizer} applies.
 */
final class Glossary {

    /**
     * {@code punct}, in the upstream order: the order matters because each mark is deleted or replaced by a space in
     * turn on the working copy.
     */
    static final List<String> PUNCTUATION = List.of(";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_",
            "-", ">", "<", "@", "`", ",", "?", "!");

    /** {@code manual_map}: number words (and "none") to digits. */
    static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));

    /** {@code articles}: dropped words. */
    static final List<String> ARTICLES = List.of("a", "an", "the");

    /**
     * {@code contractions}, entry for entry, typos included: "somebody'd" maps to "somebodyd", and the capitalised
     * keys ("Id've", "I'dve", "Im", "Ive") can never match because the words are lowercased before the lookup.
     */
    static final Map<String, String> CONTRACTIONS = Map.ofEntries(
            Map.entry("aint", "ain't"), Map.entry("arent", "aren't"), Map.entry("cant", "can't"),
            Map.entry("couldve", "could've"), Map.entry("couldnt", "couldn't"),
            Map.entry("couldn'tve", "couldn't've"), Map.entry("couldnt've", "couldn't've"),
            Map.entry("didnt", "didn't"), Map.entry("doesnt", "doesn't"), Map.entry("dont", "don't"),
            Map.entry("hadnt", "hadn't"), Map.entry("hadnt've", "hadn't've"), Map.entry("hadn'tve", "hadn't've"),
            Map.entry("hasnt", "hasn't"), Map.entry("havent", "haven't"), Map.entry("hed", "he'd"),
            Map.entry("hed've", "he'd've"), Map.entry("he'dve", "he'd've"), Map.entry("hes", "he's"),
            Map.entry("howd", "how'd"), Map.entry("howll", "how'll"), Map.entry("hows", "how's"),
            Map.entry("Id've", "I'd've"), Map.entry("I'dve", "I'd've"), Map.entry("Im", "I'm"),
            Map.entry("Ive", "I've"), Map.entry("isnt", "isn't"), Map.entry("itd", "it'd"),
            Map.entry("itd've", "it'd've"), Map.entry("it'dve", "it'd've"), Map.entry("itll", "it'll"),
            Map.entry("let's", "let's"), Map.entry("maam", "ma'am"), Map.entry("mightnt", "mightn't"),
            Map.entry("mightnt've", "mightn't've"), Map.entry("mightn'tve", "mightn't've"),
            Map.entry("mightve", "might've"), Map.entry("mustnt", "mustn't"), Map.entry("mustve", "must've"),
            Map.entry("neednt", "needn't"), Map.entry("notve", "not've"), Map.entry("oclock", "o'clock"),
            Map.entry("oughtnt", "oughtn't"), Map.entry("ow's'at", "'ow's'at"), Map.entry("'ows'at", "'ow's'at"),
            Map.entry("'ow'sat", "'ow's'at"), Map.entry("shant", "shan't"), Map.entry("shed've", "she'd've"),
            Map.entry("she'dve", "she'd've"), Map.entry("she's", "she's"), Map.entry("shouldve", "should've"),
            Map.entry("shouldnt", "shouldn't"), Map.entry("shouldnt've", "shouldn't've"),
            Map.entry("shouldn'tve", "shouldn't've"), Map.entry("somebody'd", "somebodyd"),
            Map.entry("somebodyd've", "somebody'd've"), Map.entry("somebody'dve", "somebody'd've"),
            Map.entry("somebodyll", "somebody'll"), Map.entry("somebodys", "somebody's"),
            Map.entry("someoned", "someone'd"), Map.entry("someoned've", "someone'd've"),
            Map.entry("someone'dve", "someone'd've"), Map.entry("someonell", "someone'll"),
            Map.entry("someones", "someone's"), Map.entry("somethingd", "something'd"),
            Map.entry("somethingd've", "something'd've"), Map.entry("something'dve", "something'd've"),
            Map.entry("somethingll", "something'll"), Map.entry("thats", "that's"), Map.entry("thered", "there'd"),
            Map.entry("thered've", "there'd've"), Map.entry("there'dve", "there'd've"),
            Map.entry("therere", "there're"), Map.entry("theres", "there's"), Map.entry("theyd", "they'd"),
            Map.entry("theyd've", "they'd've"), Map.entry("they'dve", "they'd've"), Map.entry("theyll", "they'll"),
            Map.entry("theyre", "they're"), Map.entry("theyve", "they've"), Map.entry("twas", "'twas"),
            Map.entry("wasnt", "wasn't"), Map.entry("wed've", "we'd've"), Map.entry("we'dve", "we'd've"),
            Map.entry("weve", "we've"), Map.entry("werent", "weren't"), Map.entry("whatll", "what'll"),
            Map.entry("whatre", "what're"), Map.entry("whats", "what's"), Map.entry("whatve", "what've"),
            Map.entry("whens", "when's"), Map.entry("whered", "where'd"), Map.entry("wheres", "where's"),
            Map.entry("whereve", "where've"), Map.entry("whod", "who'd"), Map.entry("whod've", "who'd've"),
            Map.entry("who'dve", "who'd've"), Map.entry("wholl", "who'll"), Map.entry("whos", "who's"),
            Map.entry("whove", "who've"), Map.entry("whyll", "why'll"), Map.entry("whyre", "why're"),
            Map.entry("whys", "why's"), Map.entry("wont", "won't"), Map.entry("wouldve", "would've"),
            Map.entry("wouldnt", "wouldn't"), Map.entry("wouldnt've", "wouldn't've"),
            Map.entry("wouldn'tve", "wouldn't've"), Map.entry("yall", "y'all"), Map.entry("yall'll", "y'all'll"),
            Map.entry("y'allll", "y'all'll"), Map.entry("yall'd've", "y'all'd've"),
            Map.entry("y'alld've", "y'all'd've"), Map.entry("y'all'dve", "y'all'd've"), Map.entry("youd", "you'd"),
            Map.entry("youd've", "you'd've"), Map.entry("you'dve", "you'd've"), Map.entry("youll", "you'll"),
            Map.entry("youre", "you're"), Map.entry("youve", "you've"));

    private Glossary() {
    }
}
