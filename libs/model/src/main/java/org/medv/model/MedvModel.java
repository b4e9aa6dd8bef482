package org.medv.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.PreprocessorConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.device.Devices;
import org.medv.model.image.ImageDecoder;
import org.medv.model.image.ImagePreprocessor;
import org.medv.model.image.PixelValues;
import org.medv.model.image.RgbImage;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.sampler.DiffusionSampler;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepListener;
import org.medv.model.text.ImagePlaceholder;
import org.medv.model.text.PromptBuilder;
import org.medv.model.text.TextTokenizer;
import org.medv.model.vision.VisionEncoder;
import org.medv.model.vision.VisionTowerLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded LLaDA-MedV model directory: the mask predictor, the vision side when the checkpoint has one, the
 * tokenizer when the directory has one, and the sampler. This is the model core's front door; the CLI and the
 * services hold one of these.
 */
public final class MedvModel implements AutoCloseable {

    /**
     * @param modelDir       a LLaVA-LLaDA (or text-only LLaDA) directory with config.json and safetensors
     * @param visionTowerDir a stand-alone SigLIP directory, or null to use the model's own tower / vision_config
     * @param device         "cpu" or "gpu"
     * @param dtype          "f32" or "f16"
     * @param maxImagePixels decoded images above this many pixels are rejected
     * @param hubCaches      Hugging Face hub caches searched for {@code mm_vision_tower} (see VisionTowerLocator)
     */
    public record LoadOptions(Path modelDir, Path visionTowerDir, String device, String dtype, long maxImagePixels,
                              List<Path> hubCaches, Parts parts) {
        public static LoadOptions of(Path modelDir, Path visionTowerDir) {
            return new LoadOptions(modelDir, visionTowerDir, "cpu", "f32", ImageDecoder.PIL_MAX_IMAGE_PIXELS,
                    List.of(), Parts.ALL);
        }

        public LoadOptions withParts(Parts p) {
            return new LoadOptions(modelDir, visionTowerDir, device, dtype, maxImagePixels, hubCaches, p);
        }
    }

    /** Which parts to load: a service holds only what it computes. */
    public enum Parts {
        /** Everything: language model, vision side, tokenizer (the CLI). */
        ALL,
        /** Vision tower, projector and preprocessing (vision-service). */
        VISION,
        /** Language model and tokenizer (denoiser-service). */
        LANGUAGE,
        /** Config, special ids and tokenizer only (gateway). */
        TOKENIZER
    }

    /** One image's embedding rows as plain floats: what crosses the wire between vision and denoiser. */
    public record ImageEmbedding(int rows, int cols, float[] data) {
        public ImageEmbedding {
            if ((long) rows * cols != data.length) {
                throw new InvalidRequestException("images", "image embedding holds " + data.length
                        + " values, not rows x cols = " + rows + " x " + cols);
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MedvModel.class);

    private final ModelConfig config;
    private final NDManager manager;
    private final LladaModel llm;
    private final VisionEncoder vision;
    private final ImagePreprocessor preprocessor;
    private final ImageDecoder decoder;
    private final TextTokenizer tokenizer;
    private final String visionError;
    private final VisionTowerLocator.Located tower;

    private MedvModel(ModelConfig config, NDManager manager, LladaModel llm, VisionEncoder vision,
                      ImagePreprocessor preprocessor, ImageDecoder decoder, TextTokenizer tokenizer,
                      String visionError, VisionTowerLocator.Located tower) {
        this.visionError = visionError;
        this.tower = tower;
        this.config = config;
        this.manager = manager;
        this.llm = llm;
        this.vision = vision;
        this.preprocessor = preprocessor;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    public static MedvModel load(LoadOptions o) {
        return load(o, Checkpoint.LoadListener.NONE);
    }

    /** {@link #load(LoadOptions)}, reporting the tensors of the model directory's checkpoint as they load. */
    public static MedvModel load(LoadOptions o, Checkpoint.LoadListener progress) {
        ModelConfig cfg = ModelConfig.load(o.modelDir());
        if (o.parts() == Parts.TOKENIZER) {
            // the gateway: config, special ids and tokenizer; no engine, no checkpoint
            TextTokenizer tok = Files.isRegularFile(o.modelDir().resolve("tokenizer.json"))
                    ? TextTokenizer.load(o.modelDir()) : null;
            return new MedvModel(cfg, null, null, null, null, new ImageDecoder(o.maxImagePixels()), tok,
                    "this process holds only the tokenizer of " + o.modelDir(), null);
        }
        Device device = Devices.parse(o.device());
        DataType dtype = Devices.dtype(o.dtype());
        NDManager manager = NDManager.newBaseManager(device);
        boolean language = o.parts() == Parts.ALL || o.parts() == Parts.LANGUAGE;
        boolean visual = o.parts() == Parts.ALL || o.parts() == Parts.VISION;
        try (Checkpoint ckpt = Checkpoint.open(o.modelDir()).onLoad(progress)) {
            if (!LladaWeights.present(ckpt, cfg.llm())) {
                throw new ModelLoadException("checkpoint " + o.modelDir() + " holds no LLaDA language model tensors");
            }
            LladaModel llm = language
                    ? new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, dtype), manager) : null;
            VisionEncoder vision = null;
            ImagePreprocessor pre = null;
            String visionError = null;
            VisionTowerLocator.Located located = null;
            if (visual && cfg.multimodal()) {
                try {
                    var tower = VisionTowerLocator.locate(cfg, o.visionTowerDir(), o.hubCaches(), ckpt);
                    vision = VisionEncoder.load(cfg, ckpt, tower, manager, dtype);
                    located = tower;
                    Path preDir = tower.directory() != null ? tower.directory() : o.modelDir();
                    pre = new ImagePreprocessor(PreprocessorConfig.load(preDir, tower.config().imageSize()),
                            cfg.llava());
                    LOG.info("vision tower config from {}", tower.source());
                } catch (ModelLoadException e) {
                    if (o.visionTowerDir() != null || o.parts() == Parts.VISION) {
                        throw e;
                    }
                    // text-only prompts still work; requests with images get this message
                    visionError = e.getMessage();
                    LOG.warn("vision side not loaded, images will be refused: {}", e.getMessage());
                }
            }
            TextTokenizer tok = o.parts() != Parts.VISION && Files.isRegularFile(o.modelDir().resolve("tokenizer.json"))
                    ? TextTokenizer.load(o.modelDir()) : null;
            return new MedvModel(cfg, manager, llm, vision, pre, new ImageDecoder(o.maxImagePixels()), tok,
                    visionError, located);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public SpecialTokens tokens() {
        return config.tokens();
    }

    /** The sampler options a request leaves unset take these (generation_config.json, else 128 / 128 / 128). */
    public GenerationOptions generationDefaults() {
        return config.generationDefaults();
    }

    public LladaModel llm() {
        return llm;
    }

    public boolean hasVision() {
        return vision != null;
    }

    /** The vision encoder (tower, projector, merge), or null for a text-only model. */
    public VisionEncoder vision() {
        return vision;
    }

    /** Where the vision tower's config came from, or null for a text-only model. */
    public VisionTowerLocator.Located tower() {
        return tower;
    }

    /** The model's tokenizer, or null when its directory has no tokenizer.json (raw prompt ids only). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The LLaVA-LLaDA prompt builder over this model's tokenizer, with the model's system message and image form. */
    public PromptBuilder prompts() {
        if (tokenizer == null) {
            throw new InvalidRequestException("question", "model " + config.directory()
                    + " has no tokenizer.json: give prompt ids instead of a question");
        }
        return new PromptBuilder(tokenizer, tokens(), config.systemPrompt(), config.keepImageNewline());
    }

    /** Decodes and preprocesses one image (PNG or JPEG bytes) as the model's config says. */
    public PixelValues preprocess(byte[] image) {
        requireVision();
        RgbImage rgb = decoder.decode(image);
        return preprocessor.process(rgb);
    }

    /** One image's embedding rows [tokens, hidden], attached to {@code m}. */
    public NDArray imageRows(NDManager m, PixelValues pv) {
        requireVision();
        NDArray pixels = m.create(pv.data(), new Shape(pv.shape()));
        return vision.encode(pixels, Math.max(1, pv.gridColumns()), Math.max(1, pv.gridRows()), pv.imageWidth(),
                pv.imageHeight());
    }

    /** Decodes, preprocesses and encodes one image into its embedding rows (what vision-service serves). */
    public ImageEmbedding encodeImage(byte[] image) {
        PixelValues pv = preprocess(image);
        try (NDManager m = manager.newSubManager()) {
            NDArray rows = imageRows(m, pv).toType(DataType.FLOAT32, false);
            long[] shape = rows.getShape().getShape();
            return new ImageEmbedding((int) shape[0], (int) shape[1], rows.toFloatArray());
        }
    }

    /**
     * The prompt as embeddings [length, hidden]: text ids embedded, each {@code -200} placeholder replaced by the
     * next image's rows ({@code prepare_inputs_labels_for_multimodal}).
     */
    public NDArray promptEmbeddings(NDManager m, int[] promptIds, List<PixelValues> images) {
        List<java.util.function.Supplier<NDArray>> rows = new ArrayList<>();
        for (PixelValues pv : images) {
            rows.add(() -> imageRows(m, pv));
        }
        return splice(m, promptIds, rows);
    }

    /** As {@link #promptEmbeddings} with images already encoded (by vision-service). */
    public NDArray promptEmbeddingsFromRows(NDManager m, int[] promptIds, List<ImageEmbedding> images) {
        List<java.util.function.Supplier<NDArray>> rows = new ArrayList<>();
        for (ImageEmbedding e : images) {
            if (e.cols() != requireLlm().hiddenSize()) {
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
        List<java.util.function.Supplier<NDArray>> rows = new ArrayList<>();
        for (NDArray r : imageRows) {
            rows.add(() -> r);
        }
        return splice(m, ids, rows);
    }

    private NDArray splice(NDManager m, int[] promptIds, List<java.util.function.Supplier<NDArray>> images) {
        requireLlm();
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

    /** Generates an answer for prompt ids (with {@code -200} per image) and encoded images. */
    public GenerationResult generate(int[] promptIds, List<byte[]> images, GenerationOptions options,
                                     StepListener listener) {
        List<PixelValues> pixels = new ArrayList<>();
        for (byte[] img : images) {
            pixels.add(preprocess(img));
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray prompt = promptEmbeddings(m, promptIds, pixels);
            return new DiffusionSampler(llm, tokens()).generate(prompt, options, listener);
        }
    }

    /** Generates from prompt ids and images already encoded into rows (denoiser-service). */
    public GenerationResult generateFromRows(int[] promptIds, List<ImageEmbedding> images, GenerationOptions options,
                                             StepListener listener) {
        try (NDManager m = manager.newSubManager()) {
            NDArray prompt = promptEmbeddingsFromRows(m, promptIds, images);
            return new DiffusionSampler(llm, tokens()).generate(prompt, options, listener);
        }
    }

    /**
     * Checks options against this model without running anything (positions; forbidden and stop ids in the
     * vocabulary); throws if invalid.
     */
    public void validate(int promptLength, GenerationOptions options) {
        options.checkTokenIds(config.llm().vocabSize(), tokens().mask());
        int max = config.llm().maxPositionEmbeddings();
        long total = (long) promptLength + options.genLength();
        if (total > max) {
            throw new InvalidRequestException("gen_length", "prompt (" + promptLength + " positions) plus gen_length="
                    + options.genLength() + " is " + total + ", more than the model's " + max + " positions");
        }
    }

    /** Decoded answer text (special tokens skipped, trimmed), or null without a tokenizer. */
    public String decode(int[] outputIds) {
        return tokenizer == null ? null : tokenizer.decodeAnswer(outputIds);
    }

    public NDManager manager() {
        return manager;
    }

    private LladaModel requireLlm() {
        if (llm == null) {
            throw new IllegalStateException("this MedvModel was loaded without its language model");
        }
        return llm;
    }

    private void requireVision() {
        if (visionError != null) {
            throw new ModelLoadException(visionError);
        }
        if (vision == null) {
            throw new InvalidRequestException("image", "model " + config.directory()
                    + " is text-only (no vision tower): images are not supported");
        }
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (manager != null) {
            manager.close();
        }
    }
}
