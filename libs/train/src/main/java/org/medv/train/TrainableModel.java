package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.medv.model.ModelLoadException;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.PreprocessorConfig;
import org.medv.model.image.ImageDecoder;
import org.medv.model.image.ImagePreprocessor;
import org.medv.model.image.PixelValues;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.text.ImagePlaceholder;
import org.medv.model.text.TextTokenizer;
import org.medv.model.vision.VisionEncoder;
import org.medv.model.vision.VisionTowerLocator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A model directory loaded for training: the same parts {@link org.medv.model.MedvModel#load} builds (language
 * model, vision encoder when multimodal, preprocessor, tokenizer), always in float32, with the parameter groups
 * exposed. Every parameter keeps the checkpoint tensor name it was loaded under, which is how checkpoints are
 * written back in the same layout.
 */
public final class TrainableModel implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final LladaModel llm;
    private final VisionEncoder vision;
    private final ImagePreprocessor preprocessor;
    private final TextTokenizer tokenizer;
    private final VisionTowerLocator.Located tower;
    private final ImageDecoder decoder = new ImageDecoder(ImageDecoder.PIL_MAX_IMAGE_PIXELS);

    private TrainableModel(ModelConfig config, NDManager manager, LladaModel llm, VisionEncoder vision,
                           ImagePreprocessor preprocessor, TextTokenizer tokenizer, VisionTowerLocator.Located tower) {
        this.config = config;
        this.manager = manager;
        this.llm = llm;
        this.vision = vision;
        this.preprocessor = preprocessor;
        this.tokenizer = tokenizer;
        this.tower = tower;
    }

    /** Loads {@code dir} (with {@code visionTowerDir} as MedvModel's --vision-tower, may be null) in float32. */
    public static TrainableModel load(Path dir, Path visionTowerDir, List<Path> hubCaches) {
        ModelConfig cfg = ModelConfig.load(dir);
        NDManager manager = NDManager.newBaseManager();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            if (!LladaWeights.present(ckpt, cfg.llm())) {
                throw new ModelLoadException("checkpoint " + dir + " holds no LLaDA language model tensors");
            }
            LladaModel llm = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, DataType.FLOAT32),
                    manager);
            VisionEncoder vision = null;
            ImagePreprocessor pre = null;
            VisionTowerLocator.Located tower = null;
            if (cfg.multimodal()) {
                tower = VisionTowerLocator.locate(cfg, visionTowerDir, hubCaches, ckpt);
                vision = VisionEncoder.load(cfg, ckpt, tower, manager, DataType.FLOAT32);
                Path preDir = tower.directory() != null ? tower.directory() : dir;
                pre = new ImagePreprocessor(PreprocessorConfig.load(preDir, tower.config().imageSize()), cfg.llava());
            }
            TextTokenizer tok = Files.isRegularFile(dir.resolve("tokenizer.json")) ? TextTokenizer.load(dir) : null;
            return new TrainableModel(cfg, manager, llm, vision, pre, tok, tower);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public LladaModel llm() {
        return llm;
    }

    public VisionEncoder vision() {
        return vision;
    }

    public VisionTowerLocator.Located tower() {
        return tower;
    }

    public NDManager manager() {
        return manager;
    }

    /** The tokenizer, or null when the directory has none. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Each group's parameters; a text-only model has empty vision groups. */
    public Map<Part, NDList> parameterGroups() {
        Map<Part, NDList> groups = new EnumMap<>(Part.class);
        groups.put(Part.LANGUAGE_MODEL, llm.weights().parameters());
        NDList towerParams = new NDList();
        NDList projector = new NDList();
        if (vision != null) {
            towerParams.addAll(vision.tower().weights().parameters());
            projector.addAll(vision.projector().parameters());
            for (NDArray p : vision.parameters()) {
                if (!towerParams.contains(p) && !projector.contains(p)) {
                    projector.add(p); // image_newline trains with the projector
                }
            }
        }
        groups.put(Part.VISION_TOWER, towerParams);
        groups.put(Part.PROJECTOR, projector);
        return groups;
    }

    /** Every parameter in a fixed order: language model, vision tower, projector. */
    public List<NDArray> parameters() {
        List<NDArray> all = new ArrayList<>();
        parameterGroups().values().forEach(all::addAll);
        return all;
    }

    /** Decodes and preprocesses an image file as the model's config says. */
    public PixelValues pixels(Path image) {
        if (preprocessor == null) {
            throw new TrainingDataException("image " + image + " given but model " + config.directory()
                    + " is text-only");
        }
        try {
            return preprocessor.process(decoder.decode(Files.readAllBytes(image)));
        } catch (IOException e) {
            throw new TrainingDataException("cannot read image " + image + " (check image_dir): " + e, e);
        }
    }

    /** One image's embedding rows [tokens, hidden] in {@code m}'s scope (differentiable). */
    public NDArray imageRows(NDManager m, PixelValues pv) {
        NDArray pixels = m.create(pv.data(), new Shape(pv.shape()));
        return vision.encode(pixels, Math.max(1, pv.gridColumns()), Math.max(1, pv.gridRows()), pv.imageWidth(),
                pv.imageHeight());
    }

    /**
     * Input embeddings [length, hidden] of {@code ids}: text ids embedded, each {@code -200} replaced by the next
     * image's rows ({@code prepare_inputs_labels_for_multimodal}).
     */
    public NDArray splice(NDManager m, int[] ids, List<NDArray> images) {
        NDList parts = new NDList();
        List<Long> segment = new ArrayList<>();
        int image = 0;
        for (int id : ids) {
            if (id != ImagePlaceholder.IMAGE_TOKEN_INDEX) {
                segment.add((long) id);
                continue;
            }
            if (!segment.isEmpty()) {
                parts.add(llm.embed(m, segment.stream().mapToLong(Long::longValue).toArray()));
                segment.clear();
            }
            parts.add(images.get(image++));
        }
        if (!segment.isEmpty()) {
            parts.add(llm.embed(m, segment.stream().mapToLong(Long::longValue).toArray()));
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        manager.close();
    }
}
