package org.medv.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medv.model.ModelLoadException;
import org.medv.model.config.LlavaConfig;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.safetensors.Checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * Image crops to the embedding rows the language model sees: SigLIP tower, projector, and the merge of crops.
 *
 * <p>Where the pieces come from, as LLaVA loads them: the tower's config from a stand-alone SigLIP directory
 * ({@code --vision-tower}) or the {@code vision_config} embedded in the model's config.json; the tower's weights from
 * the combined checkpoint when it holds them (they override the stand-alone tower, as fine-tuned towers are saved
 * there), else from the stand-alone directory; projector and {@code image_newline} from the combined checkpoint.
 */
public final class VisionEncoder implements AutoCloseable {
    public static final String IMAGE_NEWLINE = "model.image_newline";

    private final SiglipTower tower;
    private final Projector projector;
    private final FeatureMerger merger;
    private final NDArray imageNewline;

    public VisionEncoder(SiglipTower tower, Projector projector, LlavaConfig llava, NDArray imageNewline) {
        this.tower = tower;
        this.projector = projector;
        this.imageNewline = imageNewline;
        this.merger = new FeatureMerger(llava, imageNewline, tower.config().patchesPerSide());
    }

    /** Loads with the tower found by {@link VisionTowerLocator} ({@code towerDir} is the explicit choice). */
    public static VisionEncoder load(ModelConfig cfg, Checkpoint ckpt, Path towerDir, NDManager m, DataType dtype) {
        return load(cfg, ckpt, VisionTowerLocator.locate(cfg, towerDir, List.of(), ckpt), m, dtype);
    }

    public static VisionEncoder load(ModelConfig cfg, Checkpoint ckpt, VisionTowerLocator.Located tower, NDManager m,
                                     DataType dtype) {
        LlavaConfig llava = cfg.llava();
        SiglipVisionConfig vc = tower.config();
        Path towerDir = tower.directory();
        if (vc.hiddenSize() != llava.mmHiddenSize()) {
            throw new ModelLoadException("vision hidden_size=" + vc.hiddenSize() + " does not match mm_hidden_size="
                    + llava.mmHiddenSize() + " of " + cfg.directory());
        }
        // LLaVA's SigLIP tower deletes the last encoder layer and returns the output of the one before it
        int layersUsed = vc.numHiddenLayers() - 1;
        SiglipWeights weights;
        String prefix = SiglipWeights.prefixIn(ckpt);
        if (prefix != null) {
            weights = SiglipWeights.load(ckpt, prefix, vc, layersUsed, m, dtype);
        } else if (towerDir != null) {
            try (Checkpoint towerCkpt = Checkpoint.open(towerDir)) {
                String p = SiglipWeights.prefixIn(towerCkpt);
                if (p == null) {
                    throw new ModelLoadException("no SigLIP tower tensors (vision_model.*) in " + towerDir);
                }
                weights = SiglipWeights.load(towerCkpt, p, vc, layersUsed, m, dtype);
            }
        } else {
            throw new ModelLoadException("model " + cfg.directory() + " holds no vision tower weights: pass "
                    + "--vision-tower DIR");
        }
        Projector projector = Projector.load(ckpt, llava.mmProjectorType(), vc.hiddenSize(),
                cfg.llm().hiddenSize(), m, dtype);
        NDArray newline = null;
        if (llava.spatial() && llava.unpad()) {
            newline = ckpt.load(m, IMAGE_NEWLINE, new long[] {cfg.llm().hiddenSize()}, dtype);
        }
        return new VisionEncoder(new SiglipTower(vc, weights), projector, llava, newline);
    }

    public SiglipTower tower() {
        return tower;
    }

    public Projector projector() {
        return projector;
    }

    /**
     * One image's embedding rows [tokens, llm hidden].
     *
     * @param pixels [crops, 3, size, size]: crop 0 the whole image, then the anyres tiles row-major
     */
    public NDArray encode(NDArray pixels, int gridW, int gridH, int origWidth, int origHeight) {
        NDArray features = tower.forward(pixels.toType(tower.weights().patchWeight().getDataType(), false));
        return merger.merge(projector.forward(features), gridW, gridH, origWidth, origHeight);
    }

    public NDList parameters() {
        NDList all = new NDList();
        all.addAll(tower.weights().parameters());
        all.addAll(projector.parameters());
        if (imageNewline != null) {
            all.add(imageNewline);
        }
        return all;
    }

    @Override
    public void close() {
        parameters().close();
    }
}
