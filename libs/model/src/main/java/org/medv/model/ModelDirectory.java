package org.medv.model;

import org.medv.model.config.ModelConfig;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;

/** Opens a model directory's checkpoint for any side: without LLaDA tensors it is no model directory at all. */
final class ModelDirectory {
    private ModelDirectory() {
    }

    static Checkpoint open(ModelConfig cfg, Checkpoint.LoadListener progress) {
        Checkpoint ckpt = Checkpoint.open(cfg.directory()).onLoad(progress);
        if (!LladaWeights.present(ckpt, cfg.llm())) {
            ckpt.close();
            throw new ModelLoadException("checkpoint " + cfg.directory() + " holds no LLaDA language model tensors");
        }
        return ckpt;
    }
}
