package org.medv.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.device.Devices;
import org.medv.model.image.PixelValues;
import org.medv.model.llada.LladaModel;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepListener;
import org.medv.model.text.PromptBuilder;
import org.medv.model.text.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A whole LLaDA-MedV model directory, as the CLI and the trainer hold it: its {@link TextSide} (config, tokenizer,
 * prompts), {@link VisionSide} (images to embedding rows; refuses images for a text-only model or a tower that
 * cannot be found) and {@link LanguageSide} (mask predictor, splice, sampler), loaded from one pass over the
 * checkpoint. The services hold only the sides they compute.
 */
public final class MedvModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MedvModel.class);

    private final NDManager manager;
    private final TextSide text;
    private final VisionSide vision;
    private final LanguageSide language;

    private MedvModel(NDManager manager, TextSide text, VisionSide vision, LanguageSide language) {
        this.manager = manager;
        this.text = text;
        this.vision = vision;
        this.language = language;
    }

    public static MedvModel load(LoadOptions o) {
        return load(o, Checkpoint.LoadListener.NONE);
    }

    /** {@link #load(LoadOptions)}, reporting the tensors of the model directory's checkpoint as they load. */
    public static MedvModel load(LoadOptions o, Checkpoint.LoadListener progress) {
        ModelConfig cfg = ModelConfig.load(o.modelDir());
        Device device = Devices.parse(o.device());
        DataType dtype = Devices.dtype(o.dtype());
        NDManager manager = NDManager.newBaseManager(device);
        try (Checkpoint ckpt = ModelDirectory.open(cfg, progress)) {
            LanguageSide language = LanguageSide.load(cfg, ckpt, manager.newSubManager(), dtype);
            VisionSide vision = visionSide(cfg, ckpt, o, manager.newSubManager(), dtype);
            return new MedvModel(manager, TextSide.load(cfg), vision, language);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Without an explicit --vision-tower, a tower that cannot be loaded leaves a text-only model. */
    private static VisionSide visionSide(ModelConfig cfg, Checkpoint ckpt, LoadOptions o, NDManager m,
                                         DataType dtype) {
        try {
            return VisionSide.load(cfg, ckpt, o, m, dtype);
        } catch (ModelLoadException e) {
            m.close();
            if (o.visionTowerDir() != null) {
                throw e;
            }
            // text-only prompts still work; requests with images get this message
            LOG.warn("vision side not loaded, images will be refused: {}", e.getMessage());
            return VisionSide.unavailable(cfg, o, e.getMessage());
        }
    }

    public TextSide text() {
        return text;
    }

    public VisionSide vision() {
        return vision;
    }

    public LanguageSide language() {
        return language;
    }

    public ModelConfig config() {
        return text.config();
    }

    public SpecialTokens tokens() {
        return text.tokens();
    }

    /** See {@link TextSide#generationDefaults()}. */
    public GenerationOptions generationDefaults() {
        return text.generationDefaults();
    }

    /** The model's tokenizer, or null when its directory has no tokenizer.json (raw prompt ids only). */
    public TextTokenizer tokenizer() {
        return text.tokenizer();
    }

    /** See {@link TextSide#prompts()}. */
    public PromptBuilder prompts() {
        return text.prompts();
    }

    /** Decoded answer text (special tokens skipped, trimmed), or null without a tokenizer. */
    public String decode(int[] outputIds) {
        return text.decode(outputIds);
    }

    public LladaModel llm() {
        return language.llm();
    }

    public boolean hasVision() {
        return vision.hasVision();
    }

    /** Holds both sides' weights; per-request scopes are its sub-managers. */
    public NDManager manager() {
        return manager;
    }

    /**
     * The prompt as embeddings [length, hidden]: text ids embedded, each {@code -200} placeholder replaced by the
     * next image's rows ({@code prepare_inputs_labels_for_multimodal}).
     */
    public NDArray promptEmbeddings(NDManager m, int[] promptIds, List<PixelValues> images) {
        List<Supplier<NDArray>> rows = new ArrayList<>();
        for (PixelValues pv : images) {
            rows.add(() -> vision.imageRows(m, pv));
        }
        return language.splice(m, promptIds, rows);
    }

    /** Generates an answer for prompt ids (with {@code -200} per image) and encoded images. */
    public GenerationResult generate(int[] promptIds, List<byte[]> images, GenerationOptions options,
                                     StepListener listener) {
        List<PixelValues> pixels = new ArrayList<>();
        for (byte[] img : images) {
            pixels.add(vision.preprocess(img));
        }
        try (NDManager m = manager.newSubManager()) {
            return language.generate(promptEmbeddings(m, promptIds, pixels), options, listener);
        }
    }

    @Override
    public void close() {
        text.close();
        vision.close();
        language.close();
        manager.close();
    }
}
