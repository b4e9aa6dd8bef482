package org.medv.denoiser.engine;

import org.medv.model.InvalidRequestException;
import org.medv.model.TextSide;
import org.medv.model.config.LladaConfig;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.text.ImagePlaceholder;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.StartRequest;
import org.medv.serving.ProtoOptions;

import java.util.List;

/**
 * Checks a {@code StartRequest} against the loaded model before it may wait in the queue, so that every refusal
 * is synchronous (INVALID_ARGUMENT naming the field and the limit) and the engine only fails on real faults. Cheap:
 * image embeddings are checked by their header and byte count here and decoded on the engine thread.
 */
final class Admission {
    static final int MAX_REQUEST_ID_LENGTH = 256;

    private Admission() {
    }

    /**
     * Options a request leaves unset take the model's defaults ({@code generation_config.json}); {@code traceparent}
     * is the Start call's trace context, which the job's records carry.
     */
    static Job admit(StartRequest r, TextSide model, long receivedNanos, String traceparent) {
        String id = r.getRequestId();
        if (id.isBlank() || id.length() > MAX_REQUEST_ID_LENGTH) {
            throw new InvalidRequestException("request_id", "request_id must hold 1 to " + MAX_REQUEST_ID_LENGTH
                    + " characters, got " + id.length());
        }
        if (r.getDeadlineUnixMs() < 0) {
            throw new InvalidRequestException("deadline_unix_ms", "deadline_unix_ms must be 0 (none) or a unix time"
                    + " in ms, got " + r.getDeadlineUnixMs());
        }
        LladaConfig llm = model.config().llm();
        int placeholders = checkPromptIds(r.getPromptIdsList(), llm.vocabSize());
        if (placeholders != r.getImagesCount()) {
            throw new InvalidRequestException("images", "the prompt has " + placeholders + " image placeholder(s) ("
                    + ImagePlaceholder.IMAGE_TOKEN_INDEX + ") but " + r.getImagesCount()
                    + " image embedding(s) were given");
        }
        if (placeholders > 0 && !model.config().multimodal()) {
            throw new InvalidRequestException("images", "model " + model.config().directory().getFileName()
                    + " is text-only: images are not supported");
        }
        long promptLength = r.getPromptIdsCount() - placeholders;
        for (int i = 0; i < r.getImagesCount(); i++) {
            promptLength += checkEmbeddings(r.getImages(i), i, llm.hiddenSize());
        }
        if (model.config().multimodal() && promptLength > model.config().llava().tokenizerModelMaxLength()) {
            throw new InvalidRequestException("prompt_ids", "the prompt is " + promptLength + " positions with its"
                    + " images, more than tokenizer_model_max_length="
                    + model.config().llava().tokenizerModelMaxLength());
        }
        GenerationOptions options = ProtoOptions.toModel(r.getOptions(), model.generationDefaults(),
                model.tokenizer());
        int length = Math.toIntExact(Math.min(promptLength, Integer.MAX_VALUE));
        model.validate(length, options);
        return new Job(r, options, length, receivedNanos, traceparent);
    }

    /** Returns the number of image placeholders; every other id must be in the vocabulary. */
    private static int checkPromptIds(List<Integer> ids, int vocab) {
        if (ids.isEmpty()) {
            throw new InvalidRequestException("prompt_ids", "the prompt is empty");
        }
        int placeholders = 0;
        for (int id : ids) {
            if (id == ImagePlaceholder.IMAGE_TOKEN_INDEX) {
                placeholders++;
            } else if (id < 0 || id >= vocab) {
                throw new InvalidRequestException("prompt_ids", "prompt token id " + id
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        return placeholders;
    }

    /** The same shape rules as {@code EmbeddingCodec.decode}, without decoding; returns the rows. */
    private static int checkEmbeddings(Embeddings e, int index, int hidden) {
        int width = switch (e.getDtype()) {
            case DTYPE_FLOAT16 -> 2;
            case DTYPE_FLOAT32, DTYPE_UNSPECIFIED -> 4;
            default -> throw new InvalidRequestException("images", "images[" + index + "] has unknown dtype "
                    + e.getDtypeValue());
        };
        if (e.getRows() <= 0 || e.getCols() != hidden) {
            throw new InvalidRequestException("images", "images[" + index + "] is " + e.getRows() + " x "
                    + e.getCols() + "; it needs at least one row and " + hidden + " columns (the model's hidden size)");
        }
        long bytes = (long) e.getRows() * e.getCols() * width;
        if (bytes != e.getData().size()) {
            throw new InvalidRequestException("images", "images[" + index + "] of " + e.getRows() + " x "
                    + e.getCols() + " " + e.getDtype() + " needs " + bytes + " bytes, got " + e.getData().size());
        }
        return e.getRows();
    }
}
