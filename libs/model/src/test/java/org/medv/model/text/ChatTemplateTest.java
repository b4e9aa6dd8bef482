package org.medv.model.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChatTemplateTest {

    private static final String ASSISTANT_HEADER = "<|start_header_id|>assistant<|end_header_id|>\n\n";

    @Test
    void singleMessageGetsBosAndTheAssistantHeader() {
        assertEquals("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" + ASSISTANT_HEADER,
                ChatTemplate.render(List.of(ChatMessage.user("Hi"))));
    }

    @Test
    void bosOnlyBeforeTheFirstMessageInAMultiTurnConversation() {
        String text = ChatTemplate.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Q1"),
                ChatMessage.assistant("A1"), ChatMessage.user("Q2")));
        assertEquals("<|startoftext|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ1<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nA1<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nQ2<|eot_id|>"
                + ASSISTANT_HEADER, text);
        assertEquals(1, text.split("<\\|startoftext\\|>", -1).length - 1);
    }

    @Test
    void contentIsTrimmedAsPythonStrips() {
        assertEquals("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nWhat  is\tit?<|eot_id|>"
                        + ASSISTANT_HEADER,
                ChatTemplate.render(List.of(ChatMessage.user(" \n\u00a0What  is\tit? \n\n"))));
    }

    @Test
    void assistantHeaderIsAppendedEvenAfterAnAssistantMessage() {
        String text = ChatTemplate.render(List.of(ChatMessage.user("Q"), ChatMessage.assistant("A")));
        assertEquals("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nA<|eot_id|>" + ASSISTANT_HEADER, text);
    }

    @Test
    void noMessagesRendersOnlyTheAssistantHeader() {
        assertEquals(ASSISTANT_HEADER, ChatTemplate.render(List.of()));
    }
}
