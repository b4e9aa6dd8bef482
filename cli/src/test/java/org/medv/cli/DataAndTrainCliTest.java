package org.medv.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medv data synth} feeds {@code medv train}, whose checkpoint the model core loads; bad configs exit 2;
 * {@code train --format json} prints one summary object whose values are those of trainer_state.json.
 */
class DataAndTrainCliTest {

    @Test
    void synthThenTrainTwoStepsThenLoad(@TempDir Path tmp) throws Exception {
        Path data = synth(tmp);
        Path out = tmp.resolve("trained");
        GenerateGoldenCliTest.Result train = trainJson(tmp.resolve("train.properties"), data, out,
                "data=" + data.resolve("train.json"), "stage=stage2", "steps=2", "batch=1");
        assertEquals(0, train.code(), train.err());
        assertEquals(1, train.out().lines().count(), "one JSON object on stdout: " + train.out());
        assertTrue(train.err().contains("step 2/2"), "the step lines go to stderr: " + train.err());
        JsonObject summary = train.json();
        JsonObject state = state(out);
        assertEquals("stage2", summary.get("stage").getAsString());
        assertEquals(2, summary.get("steps").getAsInt());
        assertEquals(2, summary.get("total_steps").getAsInt());
        assertEquals(state.getAsJsonArray("losses").get(1).getAsDouble(), summary.get("final_loss").getAsDouble());
        assertEquals(out.toString(), summary.get("output").getAsString());
        assertEquals(out.resolve("loss.png").toString(), summary.get("loss_curve").getAsString());
        assertFalse(summary.get("stopped").getAsBoolean());
        assertTrue(summary.get("wall_s").getAsDouble() > 0);
        assertFalse(summary.has("eval_accuracy"), "stage 2 has no held-out labels");
        try (MedvModel m = MedvModel.load(LoadOptions.of(out, null))) {
            assertTrue(m.hasVision(), "the checkpoint is a complete multimodal model directory");
        }
    }

    @Test
    void visionStageSummaryHasTheHeldOutAccuracy(@TempDir Path tmp) throws Exception {
        Path data = synth(tmp);
        Path out = tmp.resolve("vision");
        GenerateGoldenCliTest.Result train = trainJson(tmp.resolve("vision.properties"), data, out,
                "data=" + data.resolve("train_labels.json"), "eval_data=" + data.resolve("test_labels.json"),
                "stage=vision", "steps=2", "batch=2");
        assertEquals(0, train.code(), train.err());
        JsonObject summary = train.json();
        JsonObject expected = state(out).getAsJsonObject("eval_accuracy");
        assertEquals(5, expected.size(), "modality and four quadrants: " + expected);
        assertEquals(expected, summary.getAsJsonObject("eval_accuracy"));
        assertEquals("vision", summary.get("stage").getAsString());
        assertEquals(state(out).getAsJsonArray("losses").get(1).getAsDouble(),
                summary.get("final_loss").getAsDouble());
    }

    /**
     * {@code medv train --format json} on a config at {@code config}: the demo model's seed-0 init, the synthetic
     * set's images, seed 1, output {@code out}, and {@code keys} (data, stage, steps, batch, ...).
     */
    private static GenerateGoldenCliTest.Result trainJson(Path config, Path data, Path out, String... keys)
            throws java.io.IOException {
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of("init=demo:0",
                "image_dir=" + data.resolve("images"), "seed=1", "output=" + out));
        lines.addAll(java.util.List.of(keys));
        Files.writeString(config, String.join("\n", lines) + "\n");
        return GenerateGoldenCliTest.medv("train", "--config", config.toString(), "--format", "json");
    }

    @Test
    void badTrainingConfigIsAnInvalidRequest(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("bad.properties");
        Files.writeString(config, "init=demo:0\nsteps=two\noutput=" + tmp.resolve("o") + "\n");
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("train", "--config", config.toString());
        assertEquals(Main.EXIT_INVALID, r.code(), r.err());
        assertTrue(r.err().contains("steps"), r.err());
    }

    /** Four training and two test images; with --progress the last progress line counts all six. */
    private static Path synth(Path tmp) {
        Path data = tmp.resolve("synth");
        GenerateGoldenCliTest.Result synth = GenerateGoldenCliTest.medv("data", "synth", "--out", data.toString(),
                "--train", "4", "--test", "2", "--seed", "3", "--progress");
        assertEquals(0, synth.code(), synth.err());
        assertTrue(Files.isRegularFile(data.resolve("train.json")) && Files.isRegularFile(data.resolve("test.json")));
        assertTrue(synth.out().startsWith("wrote " + data + ": 4 train images"), synth.out());
        String last = synth.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("data synth [##############################] 6/6 images "), synth.err());
        return data;
    }

    private static JsonObject state(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("trainer_state.json"))).getAsJsonObject();
    }
}
