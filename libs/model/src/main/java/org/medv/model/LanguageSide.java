package org.medv.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.device.Devices;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.sampler.DiffusionSampler;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepListener;
import org.medv.model.text.ImagePlaceholder;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A model directory's language side: the LLaDA mask predictor and the memory it lives in, the splice of image rows
 * into the prompt's embeddings, and the sampler over them (the denoiser holds this beside the {@link TextSide}).
 */
public final class LanguageSide implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final LladaModel llm;

    private LanguageSide(ModelConfig config, NDManager manager, LladaModel llm) {
        this.config = config;
        this.manager = manager;
        this.llm = llm;
    }

    /** Loads the language model of {@code o.modelDir()} (the vision options are not used). */
    public static LanguageSide load(LoadOptions o) {
        ModelConfig cfg = ModelConfig.load(o.modelDir());
        Device device = Devices.parse(o.device());
        DataType dtype = Devices.dtype(o.dtype());
        NDManager manager = NDManager.newBaseManager(device);
        try (Checkpoint ckpt = ModelDirectory.open(cfg, Checkpoint.LoadListener.NONE)) {
            return load(cfg, ckpt, manager, dtype);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The language side from an open checkpoint, its weights in {@code manager}, which it then owns. */
    static LanguageSide load(ModelConfig cfg, Checkpoint ckpt, NDManager manager, DataType dtype) {
        return new LanguageSide(cfg, manager,
                new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, dtype), manager));
    }

    public ModelConfig config() {
        return config;
    }

    public SpecialTokens tokens() {
        return config.tokens();
    }

    public LladaModel llm() {
        return llm;
    }

    /** Where the weights live; per-request scopes are its sub-managers. */
    public NDManager manager() {
        return manager;
    }

    /** The prompt as embeddings [length, hidden] with images already encoded (by vision-service). */
    public NDArray promptEmbeddingsFromRows(NDManager m, int[] promptIds, List<ImageEmbedding> images) {
        List<Supplier<NDArray>> rows = new ArrayList<>();
        for (ImageEmbedding e : images) {
            if (e.cols() != llm.hiddenSize()) {
                throw new InvalidRequestException("images", "image embedding width " + e.cols()
                        + " does not match the language model's hidden size " + llm.hiddenSize());
            }
            rows.add(() -> m.create(e.data(), new Shape(e.rows(), e.cols())));
        }
        return splice(m, promptIds, rows);
    }

    /**
     * Input embeddings [length, hidden] from ids and already computed image rows, one per {@code -200} in order
     * (training splices its noisy sequences this way; the rows stay in the autograd graph).
     */
    public NDArray spliceRows(NDManager m, int[] ids, List<NDArray> imageRows) {
        List<Supplier<NDArray>> rows = new ArrayList<>();
        for (NDArray r : imageRows) {
            rows.add(() -> r);
        }
        return splice(m, ids, rows);
    }

    /**
     * The prompt as embeddings [length, hidden]: text ids embedded, each {@code -200} placeholder replaced by the
     * next image's rows ({@code prepare_inputs_labels_for_multimodal}). The rows are asked for only once the ids
     * are checked, so a bad prompt fails before any image is encoded.
     */
    public NDArray splice(NDManager m, int[] promptIds, List<Supplier<NDArray>> images) {
        int placeholders = 0;
        for (int id : promptIds) {
            if (id == ImagePlaceholder.IMAGE_TOKEN_INDEX) {
                placeholders++;
            } else if (id < 0 || id >= llm.vocabSize()) {
                throw new InvalidRequestException("prompt_ids", "prompt token id " + id + " is outside the vocabulary"
                        + " [0, " + llm.vocabSize() + ")");
            }
        }
        if (placeholders != images.size()) {
            throw new InvalidRequestException("image", "the prompt has " + placeholders + " image placeholder(s) ("
                    + ImagePlaceholder.IMAGE_TOKEN_INDEX + ") but " + images.size() + " image(s) were given");
        }
        if (promptIds.length == 0) {
            throw new InvalidRequestException("prompt_ids", "the prompt is empty");
        }
        NDList parts = new NDList();
        List<Long> segment = new ArrayList<>();
        int image = 0;
        for (int id : promptIds) {
            if (id != ImagePlaceholder.IMAGE_TOKEN_INDEX) {
                segment.add((long) id);
                continue;
            }
            if (!segment.isEmpty()) {
                parts.add(llm.embed(m, segment.stream().mapToLong(Long::longValue).toArray()));
                segment.clear();
            }
            parts.add(images.get(image++).get().toType(llm.dataType(), false));
        }
        if (!segment.isEmpty()) {
            parts.add(llm.embed(m, segment.stream().mapToLong(Long::longValue).toArray()));
        }
        NDArray embeds = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
        long length = embeds.getShape().get(0);
        if (config.multimodal() && length > config.llava().tokenizerModelMaxLength()) {
            // upstream silently truncates to tokenizer_model_max_length; a truncated prompt is never what a caller wants
            throw new InvalidRequestException("prompt", "the prompt is " + length + " positions with its images, more"
                    + " than tokenizer_model_max_length=" + config.llava().tokenizerModelMaxLength());
        }
        return embeds;
    }

    /** Generates an answer from prompt embeddings [length, hidden] (see {@link #splice}). */
    public GenerationResult generate(NDArray promptEmbeds, GenerationOptions options, StepListener listener) {
        return new DiffusionSampler(llm, tokens()).generate(promptEmbeds, options, listener);
    }

    /** Generates from prompt ids and images already encoded into rows. */
    public GenerationResult generateFromRows(int[] promptIds, List<ImageEmbedding> images, GenerationOptions options,
                                             StepListener listener) {
        try (NDManager m = manager.newSubManager()) {
            return generate(promptEmbeddingsFromRows(m, promptIds, images), options, listener);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
