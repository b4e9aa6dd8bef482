package org.medv.model.text;

import org.medv.model.config.SpecialTokens;

import java.util.List;

/**
 * LLaDA-8B-Instruct's chat template (tokenizer_config.json, notes §2.2; line breaks added), rendered to text:
 * <pre>{@code
 * {% for message in messages %}
 *   {% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'
 *                    + message['content'] | trim + '<|eot_id|>' %}
 *   {% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}
 * {% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
 * }</pre>
 * BOS only before the first message; {@code | trim} binds to the content alone (Jinja filters bind tighter than
 * {@code +}); the assistant header is always appended, there is no {@code add_generation_prompt} switch.
 */
public final class ChatTemplate {
    private ChatTemplate() {
    }

    /** Renders {@code messages} (in order, any roles) followed by the assistant generation header. */
    public static String render(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (i == 0) {
                sb.append(SpecialTokens.BOS_TEXT);
            }
            sb.append(header(m.role().text()))
                    .append(PyStrings.strip(m.content()))
                    .append(SpecialTokens.EOT_TEXT);
        }
        return sb.append(header(ChatMessage.Role.ASSISTANT.text())).toString();
    }

    private static String header(String role) {
        return SpecialTokens.START_HEADER_TEXT + role + SpecialTokens.END_HEADER_TEXT + "\n\n";
    }
}
