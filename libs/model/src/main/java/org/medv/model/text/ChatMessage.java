package org.medv.model.text;

import org.medv.model.InvalidRequestException;

/** One message of a conversation; {@code content} is never null (upstream's {@code None} becomes empty). */
public record ChatMessage(Role role, String content) {

    /** The roles LLaVA-LLaDA's {@code conv_llava_llada} uses; the role text is what the template writes. */
    public enum Role {
        SYSTEM("system"), USER("user"), ASSISTANT("assistant");

        private final String text;

        Role(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public ChatMessage {
        if (role == null) {
            throw new InvalidRequestException("messages", "a message needs a role");
        }
        content = content == null ? "" : content;
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
