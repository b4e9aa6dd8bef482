package org.medv.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import org.medv.model.InvalidRequestException;
import org.medv.model.TextSide;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.text.ChatMessage;
import org.medv.model.text.ImagePlaceholder;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.ChatTurn;
import org.medv.serving.ProtoOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Everything the gateway can check before calling anyone: image size, question or conversation, option values and
 * combinations (unset options take the model's defaults, {@link ModelHolder#generationDefaults()}), forbidden and
 * stop ids within the vocabulary, prompt plus gen_length within the model's positions. Failures throw
 * {@link InvalidRequestException} naming the field and the limit.
 */
@ApplicationScoped
public class AskPlanner {
    private final ModelHolder models;
    private final long maxImageBytes;
    private final GatewayConfig.Limits limits;

    AskPlanner(ModelHolder models, GatewayConfig config) {
        this.models = models;
        this.maxImageBytes = config.vision().maxImageBytes();
        this.limits = config.gateway().limits();
    }

    public AskPlan plan(AskRequest req) {
        long receivedMs = System.currentTimeMillis();
        long receivedNanos = System.nanoTime();
        TextSide model = models.model();
        int images = req.getImage().isEmpty() ? 0 : 1;
        if (req.getImage().size() > maxImageBytes) {
            throw new InvalidRequestException("image", "the image is " + req.getImage().size()
                    + " bytes, more than medv.vision.max-image-bytes=" + maxImageBytes);
        }
        if (images > 0 && !model.config().multimodal()) {
            throw new InvalidRequestException("image", "model " + model.config().directory().getFileName()
                    + " is text-only: images are not supported");
        }
        checkLimits(req);
        List<ChatMessage> turns = turns(req);
        GenerationOptions options = ProtoOptions.toModel(req.getOptions(), model.generationDefaults(),
                model.tokenizer());
        int[] ids = model.prompts().promptIds(turns, images);
        int textPositions = ids.length - images;
        // the image rows come on top; checked again once Vision.Encode says how many
        model.validate(textPositions, options);
        return new AskPlan(UUID.randomUUID().toString(), req, ids, textPositions, options, receivedMs,
                receivedNanos);
    }

    /** Positions with the encoded image's rows; throws if they no longer fit with gen_length. */
    public void validateWithImageRows(AskPlan plan, int imageRows) {
        models.model().validate(plan.textPositions() + imageRows, plan.options());
    }

    /** The caps on text and labels, before anything is tokenized (medv.gateway.limits.*). */
    private void checkLimits(AskRequest req) {
        int chars = req.getQuestion().length();
        if (chars > limits.questionChars()) {
            throw new InvalidRequestException("question", "the question has " + chars + " characters, more than "
                    + "medv.gateway.limits.question-chars=" + limits.questionChars());
        }
        if (req.getConversationCount() > limits.turns()) {
            throw new InvalidRequestException("conversation", "the conversation has " + req.getConversationCount()
                    + " turns, more than medv.gateway.limits.turns=" + limits.turns());
        }
        long total = req.getConversationList().stream().mapToLong(t -> t.getContent().length()).sum();
        if (total > limits.questionChars()) {
            throw new InvalidRequestException("conversation", "the conversation's turns have " + total
                    + " characters together, more than medv.gateway.limits.question-chars=" + limits.questionChars());
        }
        var m = req.getMetadata();
        if (m.getCorrelationId().length() > limits.correlationIdChars()) {
            throw new InvalidRequestException("correlation_id", "the correlation id has "
                    + m.getCorrelationId().length() + " characters, more than "
                    + "medv.gateway.limits.correlation-id-chars=" + limits.correlationIdChars());
        }
        if (m.getLabelsCount() > limits.labels()) {
            throw new InvalidRequestException("labels", m.getLabelsCount() + " labels, more than "
                    + "medv.gateway.limits.labels=" + limits.labels());
        }
        for (var label : m.getLabelsMap().entrySet()) {
            if (label.getKey().length() > limits.labelKeyChars()) {
                throw new InvalidRequestException("labels", "a label key has " + label.getKey().length()
                        + " characters, more than medv.gateway.limits.label-key-chars=" + limits.labelKeyChars());
            }
            if (label.getValue().length() > limits.labelValueChars()) {
                throw new InvalidRequestException("labels", "a label value has " + label.getValue().length()
                        + " characters, more than medv.gateway.limits.label-value-chars=" + limits.labelValueChars());
            }
        }
    }

    private static List<ChatMessage> turns(AskRequest req) {
        boolean hasQuestion = !req.getQuestion().isBlank();
        if (req.getConversationCount() == 0) {
            if (!hasQuestion) {
                throw new InvalidRequestException("question", "a question (or a conversation) is required");
            }
            return List.of(ChatMessage.user(req.getQuestion()));
        }
        if (hasQuestion) {
            throw new InvalidRequestException("conversation", "give either a question or a conversation, not both");
        }
        List<ChatMessage> turns = new ArrayList<>();
        for (ChatTurn t : req.getConversationList()) {
            if (t.getContent().contains(ImagePlaceholder.DEFAULT_IMAGE_TOKEN)) {
                throw new InvalidRequestException("conversation", "turn text must not contain "
                        + ImagePlaceholder.DEFAULT_IMAGE_TOKEN + "; the image is attached separately");
            }
            turns.add(switch (t.getRole()) {
                case ROLE_USER -> ChatMessage.user(t.getContent());
                case ROLE_ASSISTANT -> ChatMessage.assistant(t.getContent());
                default -> throw new InvalidRequestException("conversation", "each turn needs role user or "
                        + "assistant, got " + t.getRole());
            });
        }
        ChatMessage last = turns.get(turns.size() - 1);
        if (last.role() != ChatMessage.Role.USER || last.content().isBlank()) {
            throw new InvalidRequestException("conversation", "the conversation must end with a non-empty user turn");
        }
        return turns;
    }
}
