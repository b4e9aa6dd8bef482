package org.medv.serving;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.config.SpecialTokens;
import org.medv.model.text.TextTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed text never retracts: over every order in which positions unmask, each step's committed text extends
 * the previous one and the final answer starts with it, across multi-byte characters split into byte tokens, stop
 * sequences and {@code clean_up_tokenization_spaces}; then the final answer adds the rest.
 */
class CommittedTextTest {
    private static final List<String> ANSWERS = List.of("yes there is one in the left side",
            "  left \u2192 right, 2 lesions \u2713 caf\u00e9 \u4e2d\u6587 \ud83e\udec1 ", "do n't go , it 's ' fine ?",
            "no \u00e9\u00e9\u00e9");
    private static final SpecialTokens SPECIAL = DemoModel.specialTokens();

    @TempDir
    static Path dir;
    private static TextTokenizer plain;
    private static TextTokenizer cleaning;

    @BeforeAll
    static void tokenizers() throws IOException {
        Path p = Files.createDirectories(dir.resolve("plain"));
        DemoModel.tokenizer().write(p);
        plain = TextTokenizer.load(p);
        Path c = Files.createDirectories(dir.resolve("cleaning"));
        DemoModel.tokenizer().write(c);
        Files.writeString(c.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": true}");
        cleaning = TextTokenizer.load(c);
    }

    @AfterAll
    static void close() {
        plain.close();
        cleaning.close();
    }

    @Test
    void neverRetractsAndTheFinalAnswerExtendsIt() {
        Random random = new Random(7);
        for (TextTokenizer tok : List.of(plain, cleaning)) {
            for (String answer : ANSWERS) {
                int[] stop = tok.encode(" Question:");
                List<List<Integer>> stops = List.of(List.of(SPECIAL.eot()), boxed(stop));
                for (int[] region : List.of(region(tok.encode(answer), new int[]{SPECIAL.eot()}, 40),
                        region(tok.encode(answer), stop, 40), region(tok.encode(answer + " Question"), new int[0], 48))) {
                    for (int order = 0; order < 20; order++) {
                        assertUnmaskingNeverRetracts(tok, region, stops, order == 0 ? null : random);
                    }
                }
            }
        }
    }

    @Test
    void holdsBackTheStartOfAStopSequenceAndSplitCharacters() {
        int[] stop = plain.encode(" Question:");
        int[] ids = concat(plain.encode("yes"), Arrays.copyOf(stop, stop.length - 1));
        assertEquals(stop.length - 1, CommittedText.stopPrefix(ids, List.of(boxed(stop))));
        assertEquals("yes", CommittedText.of(plain, ids, List.of(boxed(stop))));
        int[] arrow = plain.encode("left \u2192");
        int[] split = Arrays.copyOf(arrow, arrow.length - 1);
        assertTrue(plain.decode(split, true).endsWith("\uFFFD"), "the arrow's last byte is still to come");
        assertEquals("left", CommittedText.of(plain, split, List.of()));
        assertEquals("left \u2192", CommittedText.of(plain, arrow, List.of()));
        assertEquals("do", CommittedText.of(cleaning, cleaning.encode("do n'"), List.of()));
        assertEquals("don't", CommittedText.of(cleaning, cleaning.encode("do n't"), List.of()));
    }

    /** Unmasks {@code region} one position at a time (left to right, or in a random order) and checks each step. */
    private static void assertUnmaskingNeverRetracts(TextTokenizer tok, int[] region, List<List<Integer>> stops,
                                                      Random random) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, region.length).boxed().toList());
        if (random != null) {
            java.util.Collections.shuffle(order, random);
        }
        int[] draft = new int[region.length];
        Arrays.fill(draft, SPECIAL.mask());
        String previous = "";
        for (int position : order) {
            draft[position] = region[position];
            int stopAt = stopPosition(draft, stops);
            Drafts.Draft d = Drafts.render(tok, draft, SPECIAL.mask(), stopAt, stops);
            assertTrue(d.committedPrefix().startsWith(previous), "'" + d.committedPrefix() + "' extends '" + previous
                    + "'");
            previous = d.committedPrefix();
        }
        int stopAt = stopPosition(region, stops);
        String answer = tok.decodeAnswer(stopAt >= 0 ? Arrays.copyOf(region, stopAt) : region);
        assertTrue(answer.startsWith(previous), "final '" + answer + "' extends '" + previous + "'");
    }

    /** The first occurrence of any stop sequence among committed ids, as the sampler finds it. */
    private static int stopPosition(int[] ids, List<List<Integer>> stops) {
        int best = -1;
        for (List<Integer> s : stops) {
            for (int at = 0; at + s.size() <= ids.length; at++) {
                int j = 0;
                while (j < s.size() && ids[at + j] == s.get(j)) {
                    j++;
                }
                if (j == s.size()) {
                    best = best < 0 ? at : Math.min(best, at);
                    break;
                }
            }
        }
        return best;
    }

    private static int[] region(int[] answer, int[] stop, int length) {
        int[] r = new int[Math.max(length, answer.length + stop.length)];
        Arrays.fill(r, SPECIAL.eos());
        System.arraycopy(answer, 0, r, 0, answer.length);
        System.arraycopy(stop, 0, r, answer.length, stop.length);
        return r;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static List<Integer> boxed(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }
}
