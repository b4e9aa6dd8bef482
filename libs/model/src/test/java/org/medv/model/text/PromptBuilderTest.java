package org.medv.model.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.InvalidRequestException;
import org.medv.model.config.SpecialTokens;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.medv.model.text.ImagePlaceholder.IMAGE_TOKEN_INDEX;

class PromptBuilderTest {

    private static final int NEWLINE = 10;
    private static final SpecialTokens IDS = SpecialTokens.LLADA;
    private static final String QUESTION = "What is shown in the image?";

    @TempDir
    static Path dir;
    private static TextTokenizer tok;

    @BeforeAll
    static void load() throws Exception {
        TokenizerJsonWriter.lladaTest().write(dir);
        tok = TextTokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void defaultSystemPromptIsLlavaLladas() {
        PromptBuilder pb = PromptBuilder.llavaLlada(tok, IDS);
        assertEquals("<|startoftext|><|start_header_id|>system<|end_header_id|>\n\n"
                + PromptBuilder.LLAVA_LLADA_SYSTEM_PROMPT + "<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n<image>\n" + QUESTION + "<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                pb.render(List.of(ChatMessage.user(QUESTION)), 1));
        assertEquals("You are a helpful language and vision assistant. You are able to understand the visual "
                + "content that the user provides, and assist the user with a variety of tasks using natural "
                + "language.", pb.systemPrompt());
    }

    @Test
    void systemPromptOverrideEmptyAndNone() {
        List<ChatMessage> turns = List.of(ChatMessage.user("Q"));
        assertEquals("<|startoftext|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                new PromptBuilder(tok, IDS, "Be brief.").render(turns, 0));
        // upstream always adds the system message, even an empty one
        assertEquals("<|startoftext|><|start_header_id|>system<|end_header_id|>\n\n<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                new PromptBuilder(tok, IDS, "").render(turns, 0));
        PromptBuilder none = PromptBuilder.withoutSystemPrompt(tok, IDS);
        assertNull(none.systemPrompt());
        assertEquals("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", none.render(turns, 0));
    }

    @Test
    void imagePromptIdsDropTheNewlineAfterTheImageLikeUpstream() {
        int[] ids = PromptBuilder.llavaLlada(tok, IDS).promptIds(QUESTION, 1);
        assertEquals(1, count(ids, IMAGE_TOKEN_INDEX));
        assertEquals(1, count(ids, IDS.bos()));
        assertEquals(IDS.bos(), ids[0]);
        int img = indexOf(ids, IMAGE_TOKEN_INDEX);
        // before the image: "<|end_header_id|>\n\n" of the user header, kept whole
        assertArrayEquals(new int[] {IDS.endHeader(), NEWLINE, NEWLINE}, Arrays.copyOfRange(ids, img - 3, img));
        // the rendered text has "<image>\n" + question, but tokenizer_image_token drops the chunk's first token
        int[] chunkAfterImage = tok.encode("\n" + QUESTION + "<|eot_id|>", true);
        assertEquals(NEWLINE, chunkAfterImage[0]);
        assertNotEquals(NEWLINE, ids[img + 1]);
        int[] question = tok.encode(QUESTION);
        assertArrayEquals(question, Arrays.copyOfRange(ids, img + 1, img + 1 + question.length));
        assertEquals(IDS.eot(), ids[img + 1 + question.length]);
        // the rest is the text encoding of the prompt with "<image>\n" taken out
        String rendered = PromptBuilder.llavaLlada(tok, IDS).render(List.of(ChatMessage.user(QUESTION)), 1);
        int[] before = tok.encode(rendered.substring(0, rendered.indexOf("<image>")));
        int[] after = tok.encode(rendered.substring(rendered.indexOf("<image>") + "<image>\n".length()));
        assertArrayEquals(concat(before, new int[] {IMAGE_TOKEN_INDEX}, after), ids);
    }

    @Test
    void oneImagePlaceholderPerImageAllInTheFirstUserTurn() {
        PromptBuilder pb = PromptBuilder.withoutSystemPrompt(tok, IDS);
        List<ChatMessage> turns = List.of(ChatMessage.user("Q1"), ChatMessage.assistant("A1"), ChatMessage.user("Q2"));
        assertEquals("<|startoftext|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n<image>\n<image>\n<image>\nQ1<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", pb.render(turns, 3));
        int[] ids = pb.promptIds(turns, 3);
        assertEquals(3, count(ids, IMAGE_TOKEN_INDEX));
        int first = indexOf(ids, IMAGE_TOKEN_INDEX);
        // every "\n" after an <image> is dropped, so the placeholders are adjacent and Q1 follows directly
        assertArrayEquals(new int[] {IMAGE_TOKEN_INDEX, IMAGE_TOKEN_INDEX, IMAGE_TOKEN_INDEX, 'Q', '1'},
                Arrays.copyOfRange(ids, first, first + 5));
    }

    @Test
    void imagesGoToTheFirstUserTurnEvenAfterAnAssistantTurn() {
        PromptBuilder pb = PromptBuilder.withoutSystemPrompt(tok, IDS);
        List<ChatMessage> msgs = pb.messages(List.of(ChatMessage.assistant("Hello"), ChatMessage.user("Q")), 1);
        assertEquals(List.of(ChatMessage.assistant("Hello"), ChatMessage.user("<image>\nQ")), msgs);
    }

    @Test
    void textOnlyPromptIdsAreThePlainEncodingOfTheRenderedPrompt() {
        PromptBuilder pb = PromptBuilder.llavaLlada(tok, IDS);
        List<ChatMessage> turns = List.of(ChatMessage.user(QUESTION));
        int[] ids = pb.textPromptIds(turns);
        assertArrayEquals(tok.encode(pb.render(turns, 0)), ids);
        assertEquals(0, count(ids, IMAGE_TOKEN_INDEX));
        int[] tail = {IDS.eot(), IDS.startHeader(), tok.encode("assistant")[0], IDS.endHeader(), NEWLINE, NEWLINE};
        assertArrayEquals(tail, Arrays.copyOfRange(ids, ids.length - tail.length, ids.length));
    }

    @Test
    void emptyTurnsAreLeftOutLikeUpstream() {
        PromptBuilder pb = PromptBuilder.withoutSystemPrompt(tok, IDS);
        assertEquals(List.of(ChatMessage.user("Q")), pb.messages(List.of(ChatMessage.user("Q"),
                ChatMessage.assistant(null)), 0));
    }

    @Test
    void medvQuestionMatchesTheDemo() {
        assertEquals("Is there a fracture? Answer concisely in English.",
                PromptBuilder.medvQuestion("  Is there a fracture?\n"));
    }

    @Test
    void invalidConversationsAreRejectedWithTheField() {
        PromptBuilder pb = PromptBuilder.llavaLlada(tok, IDS);
        assertEquals("messages", assertThrows(InvalidRequestException.class,
                () -> pb.promptIds(List.of(), 0)).field());
        assertEquals("messages", assertThrows(InvalidRequestException.class,
                () -> pb.promptIds("look at <image> here", 1)).field());
        assertEquals("messages", assertThrows(InvalidRequestException.class,
                () -> pb.promptIds(List.of(ChatMessage.system("x"), ChatMessage.user("Q")), 0)).field());
        assertEquals("messages", assertThrows(InvalidRequestException.class,
                () -> pb.promptIds(List.of(ChatMessage.assistant("A")), 1)).field());
        assertEquals("images", assertThrows(InvalidRequestException.class,
                () -> pb.promptIds("Q", -1)).field());
    }

    private static int count(int[] ids, int id) {
        return (int) Arrays.stream(ids).filter(x -> x == id).count();
    }

    private static int indexOf(int[] ids, int id) {
        return IntStream.range(0, ids.length).filter(i -> ids[i] == id).findFirst().orElse(-1);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
