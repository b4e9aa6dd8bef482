package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.medv.model.InvalidRequestException;
import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;
import org.medv.model.ModelLoadException;
import org.medv.model.config.ModelConfig;
import org.medv.model.image.ImageDecoder;
import org.medv.model.image.PixelValues;
import org.medv.model.llada.LladaModel;
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
 * A model directory loaded for training: {@link MedvModel} in float32 (language model, vision encoder when
 * multimodal, preprocessor, tokenizer), with the parameter groups exposed. Every parameter keeps the checkpoint
 * tensor name it was loaded under, which is how checkpoints are written back in the same layout.
 */
public final class TrainableModel implements AutoCloseable {
    private final MedvModel model;
    private final ModelConfig config;
    private final LladaModel llm;
    private final VisionEncoder vision;

    private TrainableModel(MedvModel model) {
        this.model = model;
        this.config = model.config();
        this.llm = model.llm();
        this.vision = model.vision().encoder();
    }

    /** Loads {@code dir} (with {@code visionTowerDir} as MedvModel's --vision-tower, may be null) in float32. */
    public static TrainableModel load(Path dir, Path visionTowerDir, List<Path> hubCaches) {
        MedvModel m = MedvModel.load(new LoadOptions(dir, visionTowerDir, "cpu", "f32",
                ImageDecoder.PIL_MAX_IMAGE_PIXELS, hubCaches));
        if (m.config().multimodal() && !m.hasVision()) {
            m.close();
            // MedvModel defers a missing tower to the first image; training needs it now
            throw new ModelLoadException("the vision tower of " + dir + " cannot be loaded: pass vision_tower");
        }
        return new TrainableModel(m);
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
        return model.vision().tower();
    }

    public NDManager manager() {
        return model.manager();
    }

    /** The tokenizer, or null when the directory has none. */
    public TextTokenizer tokenizer() {
        return model.tokenizer();
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
        if (vision == null) {
            throw new TrainingDataException("image " + image + " given but model " + config.directory()
                    + " is text-only");
        }
        try {
            return model.vision().preprocess(Files.readAllBytes(image));
        } catch (IOException | InvalidRequestException e) {
            throw new TrainingDataException("cannot read image " + image + " (check image_dir): " + e.getMessage(), e);
        }
    }

    /** One image's embedding rows [tokens, hidden] in {@code m}'s scope (differentiable). */
    public NDArray imageRows(NDManager m, PixelValues pv) {
        return model.vision().imageRows(m, pv);
    }

    /**
     * Input embeddings [length, hidden] of {@code ids}: text ids embedded, each {@code -200} replaced by the next
     * image's rows ({@code prepare_inputs_labels_for_multimodal}).
     */
    public NDArray splice(NDManager m, int[] ids, List<NDArray> images) {
        return model.language().spliceRows(m, ids, images);
    }

    @Override
    public void close() {
        model.close();
    }
}
