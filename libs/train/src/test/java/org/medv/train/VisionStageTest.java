package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stage vision: image labels, the head's loss by hand, learning, frozen language model, checkpoints, resume. */
class VisionStageTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        TinySetup.write(dir);
    }

    @Test
    void labelsGetSortedClassIndices() {
        ImageLabels l = ImageLabels.read(dir.resolve("labels.json"), dir.resolve("images"));
        assertEquals(List.of("color", "warm"), l.names());
        assertEquals(List.of(List.of("blue", "green", "red"), List.of("no", "yes")), l.classes());
        assertEquals(5, l.totalClasses());
        assertEquals(dir.resolve("images/red.png"), l.entries().get(0).image());
        assertArrayEquals(new int[] {2, 1}, l.entries().get(0).classes());
        assertArrayEquals(new int[] {1, 0}, l.entries().get(2).classes());
    }

    @Test
    void badLabelFilesNameTheEntry() throws Exception {
        Path f = dir.resolve("bad-labels.json");
        Files.writeString(f, """
                [{"image": "red.png", "labels": {"color": "red"}},
                 {"image": "blue.png", "labels": {"colour": "blue"}}]""");
        TrainingDataException e = assertThrows(TrainingDataException.class, () -> ImageLabels.read(f, null));
        assertTrue(e.getMessage().contains("entry 1") && e.getMessage().contains("same labels"), e.getMessage());
        Files.writeString(f, "[{\"image\": \"red.png\"}]");
        e = assertThrows(TrainingDataException.class, () -> ImageLabels.read(f, null));
        assertTrue(e.getMessage().contains("entry 0 has no \"labels\""), e.getMessage());
        // a conversation file given to stage vision
        e = assertThrows(TrainingDataException.class, () -> ImageLabels.read(dir.resolve("data.json"), null));
        assertTrue(e.getMessage().contains("labels"), e.getMessage());
    }

    /** The loss from its definition, in doubles, on the image rows and head weights the objective uses. */
    @Test
    void lossMatchesItsDefinitionByHand() {
        try (Trainer t = Trainer.create(TinySetup.config(dir, "vision", 2, 1, 5));
             NDManager m = t.model().manager().newSubManager()) {
            ImageLabels labels = ImageLabels.read(dir.resolve("labels.json"), dir.resolve("images"));
            ImageLabelObjective objective = new ImageLabelObjective(t.model(), labels, null, 5);
            int[] batch = {2, 0, 1, 0};
            double got = objective.loss(m, batch, new SplittableRandom(0)).loss().getFloat();
            float[] w = objective.ownParameters().get(0).toFloatArray();
            float[] b = objective.ownParameters().get(1).toFloatArray();
            int width = labels.totalClasses();
            double expected = 0;
            for (int i : batch) {
                float[] x = t.model().imageRows(m, t.model().pixels(labels.entries().get(i).image())).toFloatArray();
                double[] z = new double[width];
                for (int c = 0; c < width; c++) {
                    z[c] = b[c];
                    for (int d = 0; d < x.length; d++) {
                        z[c] += (double) x[d] * w[d * width + c];
                    }
                }
                int offset = 0;
                for (int k = 0; k < labels.names().size(); k++) {
                    int n = labels.classes().get(k).size();
                    double logSum = 0;
                    for (int c = 0; c < n; c++) {
                        logSum += Math.exp(z[offset + c]);
                    }
                    expected -= z[offset + labels.entries().get(i).classes()[k]] - Math.log(logSum);
                    offset += n;
                }
            }
            expected /= batch.length;
            assertTrue(expected > 1.0, "two labels near chance: about ln 3 + ln 2, got " + expected);
            assertEquals(expected, got, 1e-4 * expected);
            objective.close();
        }
    }

    @Test
    void towerAndProjectorLearnTheLabelsWhileTheLanguageModelStaysBitIdentical() throws Exception {
        // held out: two images as trained, one with a colour the training data never had (counts as wrong)
        Path heldOut = dir.resolve("held-out-labels.json");
        Files.writeString(heldOut, """
                [{"image": "red.png", "labels": {"warm": "yes", "color": "red"}},
                 {"image": "green.png", "labels": {"warm": "no", "color": "green"}},
                 {"image": "blue.png", "labels": {"warm": "no", "color": "purple"}}]""");
        Path out = dir.resolve("vision-learn");
        Map<String, String> v = new HashMap<>(TinySetup.values(dir, "vision", 25, 1, 6));
        v.put("eval_data", heldOut.toString());
        v.put("output", out.toString());
        try (Trainer t = Trainer.create(TrainConfig.from(v, null))) {
            var groups = t.model().parameterGroups();
            List<float[]> lm = TrainerTest.snapshot(groups.get(Part.LANGUAGE_MODEL));
            float[] tower = groups.get(Part.VISION_TOWER).get(0).toFloatArray();
            float[] projector = groups.get(Part.PROJECTOR).get(0).toFloatArray();
            t.train();
            TrainerTest.assertBitEqual(lm, TrainerTest.snapshot(groups.get(Part.LANGUAGE_MODEL)));
            assertFalse(java.util.Arrays.equals(tower, groups.get(Part.VISION_TOWER).get(0).toFloatArray()));
            assertFalse(java.util.Arrays.equals(projector, groups.get(Part.PROJECTOR).get(0).toFloatArray()));
            List<Double> l = t.losses();
            assertTrue(l.get(l.size() - 1) < 0.2 * l.get(0), "loss " + l.get(0) + " -> " + l.get(l.size() - 1));
            assertEquals(Map.of("color", 2.0 / 3, "warm", 1.0), t.evaluation());
        }
        String state = Files.readString(out.resolve(Trainer.STATE_FILE));
        assertTrue(state.contains("\"eval_accuracy\"") && state.contains("\"warm\": 1.0"), state);
    }

    @Test
    void evalDataIsForStageVisionOnly() {
        Map<String, String> v = new HashMap<>(TinySetup.values(dir, "stage2", 2, 1, 1));
        v.put("eval_data", dir.resolve("labels.json").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.from(v, null));
        assertTrue(e.getMessage().contains("eval_data"), e.getMessage());
    }

    @Test
    void checkpointKeepsTheHeadBesideAModelMedvModelLoads() throws Exception {
        Path out = dir.resolve("vision-out");
        try (Trainer t = Trainer.create(TinySetup.config(dir, "vision", 3, 1, 7).withOutput(out, 0))) {
            t.train();
            assertTrue(Files.isRegularFile(out.resolve(ImageLabelObjective.HEAD_FILE)));
            assertTrue(Files.readString(out.resolve(ImageLabelObjective.HEAD_CLASSES_FILE)).contains("\"green\""));
            byte[] png = Files.readAllBytes(dir.resolve("images/green.png"));
            try (MedvModel loaded = MedvModel.load(LoadOptions.of(out, null));
                 NDManager m = t.model().manager().newSubManager()) {
                NDArray ours = t.model().imageRows(m, t.model().pixels(dir.resolve("images/green.png")));
                assertArrayEquals(ours.toFloatArray(), loaded.vision().encodeImage(png).data(), 0f);
            }
        }
    }

    @Test
    void resumeEqualsAnUninterruptedRun() {
        TrainConfig cfg = TinySetup.config(dir, "vision", 4, 2, 8);
        Path ckpt = dir.resolve("vision-resume");
        TrainerTest.assertResumeEqualsAnUninterruptedRun(cfg, ckpt);
        // a vision checkpoint is not a stage-2 run to continue
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.resume(ckpt, TinySetup.config(dir, "stage2", 4, 2, 8)));
        assertTrue(e.getMessage().contains("stage vision"), e.getMessage());
    }
}
