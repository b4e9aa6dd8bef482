package org.medv.gateway;

import org.medv.proto.v1.AskRequest;

/**
 * A chat-completions request mapped onto medv's ask: the {@link AskRequest} the gateway's pipeline runs, how to
 * answer (stream or not, a usage chunk or not) and where in the request the image and the answer length came from,
 * so that refusals name the client's parameter.
 *
 * @param imageParam  the image part's parameter path (e.g. {@code messages[0].content[1].image_url}), or null
 * @param lengthParam {@code max_tokens} or {@code max_completion_tokens}, whichever the request set
 */
record ChatRequest(AskRequest ask, boolean stream, boolean includeUsage, String imageParam, String lengthParam) {

    /** The request parameter a medv field (as named by InvalidRequestException or the medv-field trailer) maps to. */
    String param(String field) {
        if (field == null || field.isEmpty()) {
            return null;
        }
        return switch (field) {
            case "image", "images" -> imageParam != null ? imageParam : "messages";
            case "gen_length" -> lengthParam;
            case "question", "conversation", "messages", "prompt", "prompt_ids" -> "messages";
            case "labels" -> "metadata";
            case "stop_ids" -> "stop";
            default -> field;
        };
    }
}
