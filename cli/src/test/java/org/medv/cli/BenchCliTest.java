package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import org.medv.model.RandomModelWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medv bench generate --format json}: the measurements as one object, the text report on stderr. */
class BenchCliTest {
    private static final String SPEC = "hidden=32,layers=1,heads=2,kv=2,ff=64,vocab=300,positions=128";

    @Test
    void jsonHoldsTheSettingsAndEveryTimedRun() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("bench", "generate", "--random", SPEC,
                "--prompt-length", "8", "--gen-length", "4", "--block-length", "4", "--steps", "4", "--runs", "2",
                "--cache", "dual", "--threshold", "0.9", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        assertTrue(r.err().contains("run 2: 4 steps in "), "the text report goes to stderr: " + r.err());
        JsonObject o = r.json();
        JsonObject random = o.getAsJsonObject("random");
        assertEquals(SPEC, random.get("spec").getAsString());
        assertEquals(RandomModelWriter.Spec.parse(SPEC).llmParameters(), random.get("llm_parameters").getAsLong());
        assertFalse(o.has("model"), "a random model has no directory worth naming");
        assertEquals("f32", o.get("dtype").getAsString());
        assertEquals("cpu", o.get("device").getAsString());
        assertEquals(8, o.get("prompt_tokens").getAsInt());
        assertEquals(0, o.get("images").getAsInt());
        assertEquals(4, o.get("gen_length").getAsInt());
        assertEquals(4, o.get("block_length").getAsInt());
        assertEquals(4, o.get("steps").getAsInt());
        assertEquals("dual+t0.9", o.get("mode").getAsString());
        assertTrue(r.err().contains("steps=4 mode=dual+t0.9"), r.err());
        JsonArray runs = o.getAsJsonArray("runs");
        assertEquals(2, runs.size());
        for (var e : runs) {
            JsonObject run = e.getAsJsonObject();
            double ms = run.get("ms").getAsDouble();
            assertEquals(4, run.get("steps").getAsInt());
            assertEquals(4, run.get("tokens").getAsInt(), "no stop sequence: every position is generated");
            assertEquals(ms / 4, run.get("ms_per_step").getAsDouble());
            assertEquals(4 / (ms / 1000), run.get("tokens_per_s").getAsDouble());
        }
        assertTrue(o.get("load_ms").getAsDouble() >= 0);
        assertTrue(o.get("peak_rss_mib").getAsLong() > 0);
    }

    @Test
    void modesAreTimedInOneRunAgainstTheFirst() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("bench", "generate", "--random", SPEC,
                "--prompt-length", "8", "--gen-length", "8", "--block-length", "4", "--steps", "8",
                "--modes", "exact,dual/r1,prefix", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonArray modes = r.json().getAsJsonArray("modes");
        assertEquals(3, modes.size());
        assertEquals(List.of("exact", "dual/r1", "prefix"),
                modes.asList().stream().map(m -> m.getAsJsonObject().get("mode").getAsString()).toList());
        JsonObject exact = modes.get(0).getAsJsonObject();
        assertEquals(1.0, exact.get("speedup").getAsDouble());
        assertEquals(8, exact.get("same_positions").getAsInt());
        // a cache refreshed at every step is a whole forward every step: the exact answer
        assertEquals(8, modes.get(1).getAsJsonObject().get("same_positions").getAsInt());
        assertTrue(r.err().contains("dual/r1: best "), r.err());
        assertEquals(exact.getAsJsonArray("runs"), r.json().getAsJsonArray("runs"), "runs: the first mode's");
    }
}
