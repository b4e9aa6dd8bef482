package org.medv.model.vision;

import org.medv.model.EngineTest;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.medv.model.Golden;
import org.medv.model.Tensors;
import org.medv.model.config.LlavaConfig;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.safetensors.Checkpoint;

import java.nio.file.Path;

/** Tower, projector and crop merge against the reference tensors, from the golden pixel values. */
class VisionGoldenTest extends EngineTest {

    @Test
    void towerAndProjectorFromCombinedCheckpoint() {
        Path set = Golden.base();
        ModelConfig cfg = ModelConfig.load(set.resolve("model"));
        try (NDManager m = manager.newSubManager();
             Checkpoint ckpt = Checkpoint.open(cfg.directory());
             Checkpoint exp = Checkpoint.open(set.resolve("expected.safetensors"))) {
            VisionEncoder enc = VisionEncoder.load(cfg, ckpt, set.resolve("vision_tower"), m, DataType.FLOAT32);
            for (int i = 0; i < 3; i++) {
                NDArray pixels = exp.load(m, "image" + i + ".pixel_values", DataType.FLOAT32).expandDims(0);
                NDArray features = enc.tower().forward(pixels).squeeze(0);
                Tensors.assertClose(exp.load(m, "image" + i + ".vision_features", DataType.FLOAT32), features, 1e-4,
                        1e-5, "image" + i + " vision_features");
                Tensors.assertClose(exp.load(m, "image" + i + ".projected", DataType.FLOAT32),
                        enc.projector().forward(features), 1e-4, 1e-5, "image" + i + " projected");
                // flat merge of one crop is the projected rows themselves
                Tensors.assertClose(exp.load(m, "image" + i + ".projected", DataType.FLOAT32),
                        enc.encode(pixels, 1, 1, 80, 60), 1e-4, 1e-5, "image" + i + " encode");
            }
        }
    }

    @Test
    void standaloneTowerWithAllLayersAndPostNorm() {
        Path set = Golden.base();
        Path towerDir = set.resolve("vision_tower");
        SiglipVisionConfig vc = SiglipVisionConfig.load(towerDir);
        try (NDManager m = manager.newSubManager();
             Checkpoint ckpt = Checkpoint.open(towerDir);
             Checkpoint exp = Checkpoint.open(set.resolve("expected.safetensors"))) {
            SiglipTower full = new SiglipTower(vc, SiglipWeights.load(ckpt, SiglipWeights.prefixIn(ckpt), vc,
                    vc.numHiddenLayers(), m, DataType.FLOAT32));
            SiglipTower llava = new SiglipTower(vc, SiglipWeights.load(ckpt, SiglipWeights.prefixIn(ckpt), vc,
                    vc.numHiddenLayers() - 1, m, DataType.FLOAT32));
            for (int i = 0; i < 3; i++) {
                NDArray pixels = exp.load(m, "image" + i + ".pixel_values", DataType.FLOAT32).expandDims(0);
                Tensors.assertClose(exp.load(m, "image" + i + ".vision_last_hidden_state", DataType.FLOAT32),
                        full.forwardWithPostNorm(pixels).squeeze(0), 1e-4, 1e-5, "image" + i + " last_hidden_state");
                Tensors.assertClose(exp.load(m, "image" + i + ".vision_features", DataType.FLOAT32),
                        llava.forward(pixels).squeeze(0), 1e-4, 1e-5, "image" + i + " standalone features");
            }
        }
    }

    @Test
    void anyresAndPadSpatialUnpadMerges() {
        Path set = Golden.anyres();
        ModelConfig cfg = ModelConfig.load(set.resolve("model"));
        JsonObject expected = Golden.expected(set);
        JsonArray images = expected.getAsJsonArray("images");
        for (String variant : new String[] {"anyres_max_4", "pad_spatial_unpad"}) {
            JsonObject v = expected.getAsJsonObject("variants").getAsJsonObject(variant);
            LlavaConfig base = cfg.llava();
            LlavaConfig llava = new LlavaConfig(base.mmHiddenSize(), base.mmProjectorType(), base.mmVisionTower(),
                    v.getAsJsonObject("config").get("image_aspect_ratio").getAsString(),
                    v.getAsJsonObject("config").get("mm_patch_merge_type").getAsString(), base.imageGridPinpoints(),
                    base.imageGridRange(), base.tokenizerModelMaxLength());
            ModelConfig variantCfg = new ModelConfig(cfg.directory(), cfg.llm(), llava, null, cfg.tokens(),
                    cfg.systemPrompt(), cfg.keepImageNewline(), cfg.generationDefaults());
            try (NDManager m = manager.newSubManager();
                 Checkpoint ckpt = Checkpoint.open(cfg.directory());
                 Checkpoint exp = Checkpoint.open(set.resolve("expected.safetensors"))) {
                VisionEncoder enc = VisionEncoder.load(variantCfg, ckpt, Golden.base().resolve("vision_tower"), m,
                        DataType.FLOAT32);
                JsonArray perImage = v.getAsJsonArray("per_image");
                for (int i = 0; i < perImage.size(); i++) {
                    JsonObject img = images.get(i).getAsJsonObject();
                    var gridJson = perImage.get(i).getAsJsonObject().get("grid_w_h");
                    int gw = gridJson.isJsonArray() ? gridJson.getAsJsonArray().get(0).getAsInt() : 1;
                    int gh = gridJson.isJsonArray() ? gridJson.getAsJsonArray().get(1).getAsInt() : 1;
                    String name = variant + ".image" + i;
                    NDArray pixels = exp.load(m, name + ".pixel_values", DataType.FLOAT32);
                    if (pixels.getShape().dimension() == 3) {
                        pixels = pixels.expandDims(0);
                    }
                    NDArray rows = enc.encode(pixels, gw, gh,
                            img.get("width").getAsInt(), img.get("height").getAsInt());
                    Tensors.assertClose(exp.load(m, name + ".features", DataType.FLOAT32), rows, 1e-4, 1e-5, name);
                }
            }
        }
    }
}
