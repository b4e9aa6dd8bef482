package org.medv.train;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.config.SpecialTokens;
import org.medv.model.text.TextTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** preprocess_llada's ids and labels, rebuilt here piece by piece from the tokenizer. */
class ConversationEncoderTest {
    @TempDir
    static Path dir;
    static TextTokenizer tok;
    static SpecialTokens sp;

    @BeforeAll
    static void setUp() throws Exception {
        Path model = TinySetup.write(dir);
        tok = TextTokenizer.load(model);
        sp = SpecialTokens.load(model);
    }

    @AfterAll
    static void tearDown() {
        tok.close();
    }

    @Test
    void idsAndLabelsFollowPreprocessLlada() {
        ConversationEncoder enc = new ConversationEncoder(tok, sp, "Be brief.", 0);
        LlavaInstruction e = new LlavaInstruction("x", "a.png", List.of(new LlavaInstruction.Turn("human",
                "<image>\nIs it red?"), new LlavaInstruction.Turn("gpt", "yes")));
        TrainingExample ex = enc.encode(e, dir);
        int[] sys = concat(new int[] {sp.bos(), sp.startHeader()}, tok.encode("system"),
                new int[] {sp.endHeader()}, tok.encode("\n\nBe brief."), new int[] {sp.eot()});
        int[] user = concat(new int[] {sp.startHeader()}, tok.encode("user"), new int[] {sp.endHeader()},
                tok.encode("\n\n"), new int[] {-200}, tok.encode("\nIs it red?"), new int[] {sp.eot()});
        int[] asst = concat(new int[] {sp.startHeader()}, tok.encode("assistant"), new int[] {sp.endHeader()},
                tok.encode("\n\nyes"), new int[] {sp.eot()});
        assertArrayEquals(concat(sys, user, asst), ex.inputIds());
        int[] expectedLabels = new int[ex.inputIds().length];
        for (int i = 0; i < expectedLabels.length; i++) {
            int id = ex.inputIds()[i];
            boolean structural = id == sp.bos() || id == sp.startHeader() || id == sp.endHeader() || id == sp.eot();
            expectedLabels[i] = i >= sys.length + user.length || structural ? id : -100;
        }
        assertArrayEquals(expectedLabels, ex.labels());
        assertEquals(dir.resolve("a.png"), ex.image());
        // the "\n" after <image> is kept (training), unlike inference
        int img = IntStream.range(0, ex.inputIds().length).filter(i -> ex.inputIds()[i] == -200).findFirst()
                .orElseThrow();
        assertEquals(tok.encode("\n")[0], ex.inputIds()[img + 1]);
    }

    @Test
    void withoutSystemPromptTheFirstTurnCarriesTheBos() {
        ConversationEncoder enc = new ConversationEncoder(tok, sp, null, 0);
        TrainingExample ex = enc.encode(new LlavaInstruction("x", "a.png", List.of(new LlavaInstruction.Turn("human",
                "<image>\nIs it red?"), new LlavaInstruction.Turn("gpt", "yes"))), dir);
        int[] user = concat(new int[] {sp.bos(), sp.startHeader()}, tok.encode("user"), new int[] {sp.endHeader()},
                tok.encode("\n\n"), new int[] {-200}, tok.encode("\nIs it red?"), new int[] {sp.eot()});
        int[] asst = concat(new int[] {sp.startHeader()}, tok.encode("assistant"), new int[] {sp.endHeader()},
                tok.encode("\n\nyes"), new int[] {sp.eot()});
        assertArrayEquals(concat(user, asst), ex.inputIds());
        assertEquals(sp.bos(), ex.labels()[0]);
    }

    @Test
    void padsWithEosLabelledEosAndMovesTheImageToTheFront() {
        ConversationEncoder enc = new ConversationEncoder(tok, sp, null, 120);
        LlavaInstruction e = new LlavaInstruction("y", "a.png", List.of(new LlavaInstruction.Turn("human",
                "Which organ?\n<image>"), new LlavaInstruction.Turn("gpt", "liver")));
        TrainingExample ex = enc.encode(e, dir);
        assertEquals(120, ex.inputIds().length);
        assertEquals(sp.eos(), ex.inputIds()[119]);
        assertEquals(sp.eos(), ex.labels()[119]);
        TrainingExample front = enc.encode(new LlavaInstruction("z", "a.png", List.of(new LlavaInstruction.Turn(
                "human", "<image>\nWhich organ?"), new LlavaInstruction.Turn("gpt", "liver"))), dir);
        assertArrayEquals(front.inputIds(), ex.inputIds());
    }

    @Test
    void readerReportsFileAndEntry() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[{\"id\": \"q1\", \"conversations\": []}]");
        TrainingDataException ex = assertThrows(TrainingDataException.class, () -> LlavaInstruction.read(bad));
        assertTrue(ex.getMessage().contains("bad.json") && ex.getMessage().contains("entry 0")
                && ex.getMessage().contains("q1"), ex.getMessage());
        Files.writeString(bad, "[{\"id\": \"q2\", \"image\": \"a.png\", \"conversations\": [{\"from\": \"human\","
                + " \"value\": \"no placeholder\"}, {\"from\": \"gpt\", \"value\": \"x\"}]}]");
        ConversationEncoder enc = new ConversationEncoder(tok, sp, null, 0);
        TrainingDataException mismatch = assertThrows(TrainingDataException.class,
                () -> enc.encodeAll(bad, LlavaInstruction.read(bad), dir));
        assertTrue(mismatch.getMessage().contains("q2") && mismatch.getMessage().contains("placeholder"));
        Files.writeString(bad, "[{");
        assertThrows(TrainingDataException.class, () -> LlavaInstruction.read(bad));
        assertEquals(4, LlavaInstruction.read(dir.resolve("data.json")).size());
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
