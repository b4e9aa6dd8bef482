package org.medv.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.PreprocessorConfig;
import org.medv.model.device.Devices;
import org.medv.model.image.ImageDecoder;
import org.medv.model.image.ImagePreprocessor;
import org.medv.model.image.PixelValues;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.vision.VisionEncoder;
import org.medv.model.vision.VisionTowerLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * A model directory's vision side: image decoding, preprocessing and the vision encoder (SigLIP tower, projector,
 * merge), from image bytes to the embedding rows the language side splices in (vision-service holds only this).
 * A text-only model has a vision side that refuses every image.
 */
public final class VisionSide implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VisionSide.class);

    private final ModelConfig config;
    private final NDManager manager;
    private final VisionEncoder encoder;
    private final ImagePreprocessor preprocessor;
    private final ImageDecoder decoder;
    private final VisionTowerLocator.Located tower;
    private final String error;

    private VisionSide(ModelConfig config, NDManager manager, VisionEncoder encoder, ImagePreprocessor preprocessor,
                       ImageDecoder decoder, VisionTowerLocator.Located tower, String error) {
        this.config = config;
        this.manager = manager;
        this.encoder = encoder;
        this.preprocessor = preprocessor;
        this.decoder = decoder;
        this.tower = tower;
        this.error = error;
    }

    /** Loads the vision side of {@code o.modelDir()}; a tower that cannot be loaded fails the load. */
    public static VisionSide load(LoadOptions o) {
        ModelConfig cfg = ModelConfig.load(o.modelDir());
        Device device = Devices.parse(o.device());
        DataType dtype = Devices.dtype(o.dtype());
        NDManager manager = NDManager.newBaseManager(device);
        try (Checkpoint ckpt = ModelDirectory.open(cfg, Checkpoint.LoadListener.NONE)) {
            return load(cfg, ckpt, o, manager, dtype);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The vision side from an open checkpoint, its weights in {@code manager}, which it then owns. */
    static VisionSide load(ModelConfig cfg, Checkpoint ckpt, LoadOptions o, NDManager manager, DataType dtype) {
        ImageDecoder decoder = new ImageDecoder(o.maxImagePixels());
        if (!cfg.multimodal()) {
            return new VisionSide(cfg, manager, null, null, decoder, null, null);
        }
        var tower = VisionTowerLocator.locate(cfg, o.visionTowerDir(), o.hubCaches(), ckpt);
        VisionEncoder encoder = VisionEncoder.load(cfg, ckpt, tower, manager, dtype);
        Path preDir = tower.directory() != null ? tower.directory() : o.modelDir();
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessorConfig.load(preDir, tower.config().imageSize()),
                cfg.llava());
        LOG.info("vision tower config from {}", tower.source());
        return new VisionSide(cfg, manager, encoder, pre, decoder, tower, null);
    }

    /** A vision side whose tower could not be loaded: text-only prompts still work, images get {@code error}. */
    static VisionSide unavailable(ModelConfig cfg, LoadOptions o, String error) {
        return new VisionSide(cfg, null, null, null, new ImageDecoder(o.maxImagePixels()), null, error);
    }

    public boolean hasVision() {
        return encoder != null;
    }

    /** The vision encoder (tower, projector, merge), or null for a text-only model. */
    public VisionEncoder encoder() {
        return encoder;
    }

    /** Where the vision tower's config came from, or null for a text-only model. */
    public VisionTowerLocator.Located tower() {
        return tower;
    }

    /** Decodes and preprocesses one image (PNG or JPEG bytes) as the model's config says. */
    public PixelValues preprocess(byte[] image) {
        requireVision();
        return preprocessor.process(decoder.decode(image));
    }

    /** One image's embedding rows [tokens, hidden], attached to {@code m}. */
    public NDArray imageRows(NDManager m, PixelValues pv) {
        requireVision();
        NDArray pixels = m.create(pv.data(), new Shape(pv.shape()));
        return encoder.encode(pixels, Math.max(1, pv.gridColumns()), Math.max(1, pv.gridRows()), pv.imageWidth(),
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

    private void requireVision() {
        if (error != null) {
            throw new ModelLoadException(error);
        }
        if (encoder == null) {
            throw new InvalidRequestException("image", "model " + config.directory()
                    + " is text-only (no vision tower): images are not supported");
        }
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
