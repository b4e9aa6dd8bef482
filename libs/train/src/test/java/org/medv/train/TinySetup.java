package org.medv.train;

import org.medv.model.DemoModel;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A demo model, three images, a four-entry LLaVA instruction file and a per-image label file (for stage vision) in a
 * directory.
 */
final class TinySetup {
    static final String DATA = """
            [
              {"id": "a", "image": "red.png", "conversations": [
                {"from": "human", "value": "<image>\\nIs this image bright or dark?"},
                {"from": "gpt", "value": "bright"}]},
              {"id": "b", "image": "blue.png", "conversations": [
                {"from": "human", "value": "Is this image bright or dark?\\n<image>"},
                {"from": "gpt", "value": "dark"}]},
              {"id": "c", "image": "red.png", "conversations": [
                {"from": "human", "value": "<image>\\nIs there a lesion?"},
                {"from": "gpt", "value": "no"}]},
              {"id": "d", "conversations": [
                {"from": "human", "value": "Which side is the lesion on?"},
                {"from": "gpt", "value": "upper right"}]}
            ]
            """;

    /** Two labels: one with three classes, one with two. */
    static final String LABELS = """
            [
              {"image": "red.png", "labels": {"color": "red", "warm": "yes"}},
              {"image": "blue.png", "labels": {"color": "blue", "warm": "no"}},
              {"image": "green.png", "labels": {"color": "green", "warm": "no"}}
            ]
            """;

    private TinySetup() {
    }

    /** Writes model/, images/ and data.json under {@code dir}; returns the model directory. */
    static Path write(Path dir) throws IOException {
        Path model = DemoModel.write(dir.resolve("model"), 3);
        Path images = Files.createDirectories(dir.resolve("images"));
        png(images.resolve("red.png"), 0xFF2020);
        png(images.resolve("blue.png"), 0x2020FF);
        png(images.resolve("green.png"), 0x20FF20);
        Files.writeString(dir.resolve("data.json"), DATA);
        Files.writeString(dir.resolve("labels.json"), LABELS);
        return model;
    }

    private static void png(Path file, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 20; x++) {
                img.setRGB(x, y, (x + y) % 3 == 0 ? 0xFFFFFF : rgb);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    /** A config over the tiny setup (stage, steps, seed as given; lr high enough to move a tiny model). */
    static TrainConfig config(Path dir, String stage, int steps, int accumulation, long seed) {
        return TrainConfig.from(values(dir, stage, steps, accumulation, seed), null);
    }

    /** The key/values of {@link #config}, to change before {@link TrainConfig#from}. */
    static Map<String, String> values(Path dir, String stage, int steps, int accumulation, long seed) {
        Map<String, String> v = new HashMap<>();
        v.put("init", dir.resolve("model").toString());
        v.put("data", dir.resolve("data.json").toString());
        v.put("image_dir", dir.resolve("images").toString());
        v.put("stage", stage);
        v.put("lr_language", "3e-3");
        v.put("lr_projector", "3e-3");
        v.put("batch", "2");
        v.put("accumulation", Integer.toString(accumulation));
        v.put("steps", Integer.toString(steps));
        v.put("warmup", "2");
        v.put("seed", Long.toString(seed));
        v.put("weight_decay", "0.01");
        v.put("pad_to", "40");
        v.put("system_prompt", "Answer.");
        if (stage.equals("vision")) {
            v.put("data", dir.resolve("labels.json").toString());
            v.put("lr_vision", "1e-3");
            v.put("batch", "3");
        }
        return v;
    }
}
