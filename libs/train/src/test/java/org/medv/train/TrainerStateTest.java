package org.medv.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trainer_state.json: the file's keys, a round trip, and the checks that refuse to resume another run. */
class TrainerStateTest {
    @TempDir
    Path dir;

    @Test
    void writesTheKeysResumeAndReadersExpectAndReadsThemBack() throws Exception {
        TrainConfig cfg = TinySetup.config(dir, "stage2", 10, 2, 4);
        TrainerState s = TrainerState.of(cfg, 3, 3, List.of(1.5, 0.25, 0.125), Map.of());
        s.write(dir);
        String json = Files.readString(dir.resolve(TrainerState.FILE));
        for (String key : List.of("\"step\": 3", "\"optimizer_steps\": 3", "\"total_steps\": 10", "\"seed\": 4",
                "\"batch\": 2", "\"accumulation\": 2", "\"stage\": \"stage2\"", "\"data_order\"")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertTrue(!json.contains("eval_accuracy"), "no held-out scores, no key");
        TrainerState back = TrainerState.read(dir);
        assertEquals(s, back);
        assertEquals(List.of(1.5, 0.25, 0.125), back.losses());
        assertNull(back.evalAccuracy());
    }

    @Test
    void readsTheShippedDemoModelsState() {
        Path demo = Path.of(System.getProperty("user.dir")).resolve("../../models/demo").normalize();
        TrainerState s = TrainerState.read(demo);
        assertEquals(s.totalSteps(), s.step());
        assertEquals(s.step(), s.losses().size());
        assertEquals("stage2", s.stage());
    }

    @Test
    void refusesToResumeAnotherStageSeedBatchOrAccumulation() {
        TrainerState s = TrainerState.of(TinySetup.config(dir, "stage2", 10, 2, 4), 3, 3, List.of(1.0, 1.0, 1.0),
                null);
        s.requireResumableBy(TinySetup.config(dir, "stage2", 20, 2, 4), dir); // more steps: fine
        assertRefused(s, TinySetup.config(dir, "stage1", 10, 2, 4), "stage stage2, the config says stage1");
        assertRefused(s, TinySetup.config(dir, "stage2", 10, 2, 5), "seed=4, the config says 5");
        assertRefused(s, TinySetup.config(dir, "stage2", 10, 1, 4), "accumulation=2, the config says 1");
    }

    @Test
    void anUnreadableStateNamesTheFile() throws Exception {
        Files.writeString(dir.resolve(TrainerState.FILE), "{\"step\": 2}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerState.read(dir));
        assertTrue(e.getMessage().contains(dir.resolve(TrainerState.FILE).toString()), e.getMessage());
    }

    private void assertRefused(TrainerState s, TrainConfig cfg, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.requireResumableBy(cfg, dir));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
