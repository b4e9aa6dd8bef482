package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;
import org.medv.model.sampler.DiffusionSampler;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop on a demo model: learning, freezing, checkpoint round trip, resume. */
class TrainerTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        TinySetup.write(dir);
    }

    @Test
    void lossGoesDownOnATinyDataset() {
        TrainConfig cfg = TinySetup.config(dir, "stage2", 30, 1, 1);
        try (Trainer t = Trainer.create(cfg)) {
            double before = evalLoss(t);
            List<Trainer.StepReport> reports = new ArrayList<>();
            t.onStep(reports::add);
            t.train();
            double after = evalLoss(t);
            assertEquals(30, reports.size());
            assertTrue(after < 0.7 * before, "fixed-noise loss " + before + " -> " + after);
            List<Double> l = t.losses();
            double first = l.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = l.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < first, "training loss " + first + " -> " + last);
            assertTrue(reports.get(29).samplesPerSecond() > 0);
        }
    }

    @Test
    void aStopRequestEndsAfterTheCurrentStepWithAResumableCheckpoint() {
        Path out = dir.resolve("stopped");
        TrainConfig cfg = TinySetup.config(dir, "stage2", 6, 1, 4).withOutput(out, 0);
        try (Trainer t = Trainer.create(cfg)) {
            t.onStep(r -> {
                if (r.step() == 2) {
                    t.requestStop(); // as Ctrl-C does, from another thread, while step 2 is being reported
                }
            });
            assertFalse(t.train());
            assertEquals(2, t.step());
            assertEquals(out.resolve("checkpoint-2"), t.stepCheckpoint());
        }
        assertFalse(java.nio.file.Files.exists(out.resolve("model.safetensors")), "no final model for a stopped run");
        try (Trainer resumed = Trainer.resume(out.resolve("checkpoint-2"), cfg)) {
            assertEquals(2, resumed.step());
            assertTrue(resumed.train());
            assertEquals(6, resumed.step());
        }
    }

    /** The loss over the whole data set with fixed noise: comparable before and after training. */
    private static double evalLoss(Trainer t) {
        TrainableModel model = t.model();
        var enc = new ConversationEncoder(model.tokenizer(), model.config().tokens(), "Answer.", 40);
        var examples = enc.encodeAll(dir.resolve("data.json"), LlavaInstruction.read(dir.resolve("data.json")),
                dir.resolve("images"));
        try (NDManager m = model.manager().newSubManager()) {
            var samples = examples.stream().map(e -> new MaskedDiffusionLoss.Sample(e.inputIds(), e.labels(),
                    e.image() == null ? List.of() : List.of(model.imageRows(m, model.pixels(e.image()))))).toList();
            double sum = 0;
            for (int r = 0; r < 2; r++) {
                sum += new MaskedDiffusionLoss(model).compute(m, samples, new SplittableRandom(100 + r)).loss()
                        .getFloat();
            }
            return sum / 2;
        }
    }

    @Test
    void frozenPartsStayBitIdentical() {
        TrainConfig cfg = TinySetup.config(dir, "stage1", 4, 1, 2);
        try (Trainer t = Trainer.create(cfg)) {
            var groups = t.model().parameterGroups();
            List<float[]> lm = snapshot(groups.get(Part.LANGUAGE_MODEL));
            List<float[]> tower = snapshot(groups.get(Part.VISION_TOWER));
            List<float[]> projector = snapshot(groups.get(Part.PROJECTOR));
            t.train();
            assertBitEqual(lm, snapshot(groups.get(Part.LANGUAGE_MODEL)));
            assertBitEqual(tower, snapshot(groups.get(Part.VISION_TOWER)));
            assertFalse(java.util.Arrays.equals(projector.get(0), snapshot(groups.get(Part.PROJECTOR)).get(0)),
                    "the projector trains in stage 1");
        }
    }

    @Test
    void checkpointRoundTripsThroughMedvModel() throws Exception {
        Path out = dir.resolve("round-trip");
        TrainConfig cfg = TinySetup.config(dir, "stage2", 3, 1, 3).withOutput(out, 0);
        try (Trainer t = Trainer.create(cfg)) {
            t.train();
            assertTrue(Files.isRegularFile(out.resolve(Trainer.OPTIMIZER_FILE)));
            assertTrue(Files.isRegularFile(out.resolve(Trainer.STATE_FILE)));
            assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
            TrainableModel trained = t.model();
            try (MedvModel loaded = MedvModel.load(LoadOptions.of(out, null))) {
                List<NDArray> a = trained.llm().weights().parameters();
                List<NDArray> b = loaded.llm().weights().parameters();
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), 0f, a.get(i).getName());
                }
                byte[] png = Files.readAllBytes(dir.resolve("images/red.png"));
                try (NDManager m = trained.manager().newSubManager()) {
                    float[] ours = trained.imageRows(m, trained.pixels(dir.resolve("images/red.png"))).toFloatArray();
                    assertArrayEquals(ours, loaded.vision().encodeImage(png).data(), 0f);
                }
                // the checkpoint declares the system message it was trained with (TinySetup's)
                assertEquals("Answer.", loaded.prompts().systemPrompt());
                // and is asked with the "\n" after <image> that training keeps
                assertTrue(loaded.config().keepImageNewline());
                int[] prompt = loaded.prompts().promptIds("Is there a lesion?", 1);
                GenerationOptions o = new GenerationOptions(8, 8, 8, 0, 0, 0, Remasking.LOW_CONFIDENCE, null, null);
                GenerationResult viaLoad = loaded.generate(prompt, List.of(png), o, e -> { });
                try (NDManager m = trained.manager().newSubManager()) {
                    NDArray img = trained.imageRows(m, trained.pixels(dir.resolve("images/red.png")));
                    NDArray embeds = trained.splice(m, prompt, List.of(img));
                    GenerationResult viaTrainer = new DiffusionSampler(trained.llm(), trained.config().tokens())
                            .generate(embeds, o, e -> { });
                    assertArrayEquals(viaTrainer.outputIds(), viaLoad.outputIds());
                }
            }
        }
    }

    @Test
    void resumeEqualsAnUninterruptedRun() {
        assertResumeEqualsAnUninterruptedRun(TinySetup.config(dir, "stage2", 4, 2, 4), dir.resolve("resume-ckpt"));
    }

    @Test
    void randomEosPaddingTrainsAndResumesBitExactly() {
        var v = TinySetup.values(dir, "stage2", 4, 2, 4);
        v.put("pad_to", "0");
        v.put("pad_random_to", "120");
        TrainConfig cfg = TrainConfig.from(v, null);
        List<Double> unpadded;
        try (Trainer t = Trainer.create(TinySetup.config(dir, "stage2", 4, 2, 4))) {
            t.train();
            unpadded = t.losses();
        }
        try (Trainer t = Trainer.create(cfg)) {
            t.train();
            assertFalse(unpadded.equals(t.losses()), "the padding changes what is trained on");
        }
        assertResumeEqualsAnUninterruptedRun(cfg, dir.resolve("resume-padded"));
    }

    /**
     * Trains {@code cfg} through, then again for two steps, a checkpoint in {@code ckpt} and a resume: same
     * parameters bit for bit and the same losses.
     */
    static void assertResumeEqualsAnUninterruptedRun(TrainConfig cfg, Path ckpt) {
        List<float[]> uninterrupted;
        List<Double> lossesA;
        try (Trainer a = Trainer.create(cfg)) {
            List<float[]> before = snapshot(a.model().parameters());
            a.train();
            uninterrupted = snapshot(a.model().parameters());
            assertFalse(java.util.stream.IntStream.range(0, before.size())
                    .allMatch(i -> java.util.Arrays.equals(before.get(i), uninterrupted.get(i))), "nothing trained");
            lossesA = a.losses();
        }
        try (Trainer first = Trainer.create(cfg)) {
            for (int i = 0; i < 2; i++) {
                first.trainStep();
            }
            first.checkpoint(ckpt);
        }
        try (Trainer b = Trainer.resume(ckpt, cfg)) {
            assertEquals(2, b.step());
            b.train();
            assertBitEqual(uninterrupted, snapshot(b.model().parameters()));
            assertEquals(lossesA, b.losses());
        }
    }

    static List<float[]> snapshot(List<NDArray> params) {
        return params.stream().map(NDArray::toFloatArray).toList();
    }

    static void assertBitEqual(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i);
            float[] y = b.get(i);
            assertEquals(x.length, y.length);
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]), "parameter " + i);
            }
        }
    }
}
