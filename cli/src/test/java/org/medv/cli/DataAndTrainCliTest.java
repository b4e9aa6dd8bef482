package org.medv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.MedvModel;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medv data synth} feeds {@code medv train}, whose checkpoint the model core loads; bad configs exit 2. */
class DataAndTrainCliTest {

    @Test
    void synthThenTrainTwoStepsThenLoad(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("synth");
        GenerateGoldenCliTest.Result synth = GenerateGoldenCliTest.medv("data", "synth", "--out", data.toString(),
                "--train", "4", "--test", "2", "--seed", "3");
        assertEquals(0, synth.code(), synth.err());
        assertTrue(Files.isRegularFile(data.resolve("train.json")) && Files.isRegularFile(data.resolve("test.json")));

        Path out = tmp.resolve("trained");
        Path config = tmp.resolve("train.properties");
        Files.writeString(config, String.join("\n",
                "init=demo:0",
                "data=" + data.resolve("train.json"),
                "image_dir=" + data.resolve("images"),
                "stage=stage2",
                "steps=2",
                "batch=1",
                "seed=1",
                "output=" + out,
                ""));
        GenerateGoldenCliTest.Result train = GenerateGoldenCliTest.medv("train", "--config", config.toString());
        assertEquals(0, train.code(), train.err());
        try (MedvModel m = MedvModel.load(MedvModel.LoadOptions.of(out, null))) {
            assertTrue(m.hasVision(), "the checkpoint is a complete multimodal model directory");
        }
    }

    @Test
    void badTrainingConfigIsAnInvalidRequest(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("bad.properties");
        Files.writeString(config, "init=demo:0\nsteps=two\noutput=" + tmp.resolve("o") + "\n");
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("train", "--config", config.toString());
        assertEquals(Main.EXIT_INVALID, r.code(), r.err());
        assertTrue(r.err().contains("steps"), r.err());
    }
}
