package org.medv.cli;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.config.GenerationDefaults;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate} and {@code bench generate} on a model whose generation_config.json declares 8 / 4 / 4. */
class GenerationDefaultsCliTest {
    @TempDir
    static Path model;

    @BeforeAll
    static void writeModel() {
        DemoModel.write(model, 3);
        GenerationDefaults.declare(model, Map.of("gen_length", 8, "block_length", 4, "steps", 4));
    }

    private static JsonObject generate(String... flags) {
        String[] args = new String[7 + flags.length];
        String[] common = {"generate", "--model", model.toString(), "--question", "Is there a lesion?", "--format",
            "json"};
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(flags, 0, args, common.length, flags.length);
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv(args);
        assertEquals(0, r.code(), r.err());
        return r.json();
    }

    @Test
    void generateWithoutFlagsRunsTheModelsDefaults() {
        JsonObject o = generate("--stop-ids", "none");
        assertEquals(4, o.get("steps").getAsInt());
        assertEquals(8, o.getAsJsonArray("output_ids").size());
        assertEquals("length", o.get("finish_reason").getAsString());
    }

    @Test
    void aFlagGivenWinsAndTheOthersStayTheModels() {
        JsonObject o = generate("--stop-ids", "none", "--steps", "8");
        assertEquals(8, o.get("steps").getAsInt());
        assertEquals(8, o.getAsJsonArray("output_ids").size());
        o = generate("--stop-ids", "none", "--gen-length", "16");
        assertEquals(4, o.get("steps").getAsInt(), "16 tokens in the model's blocks of 4, its 4 steps");
        assertEquals(16, o.getAsJsonArray("output_ids").size());
    }

    @Test
    void aFlagInconsistentWithTheModelsDefaultsNamesBoth() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("generate", "--model", model.toString(),
                "--question", "q", "--gen-length", "6");
        assertEquals(Main.EXIT_INVALID, r.code(), r.err());
        assertTrue(r.err().contains("gen_length=6 must be a multiple of block_length=4"), r.err());
    }

    @Test
    void benchGenerateRunsTheModelsDefaults() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("bench", "generate", "--model", model.toString(),
                "--prompt-length", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gen_length=8 block_length=4 steps=4"), r.out());
        assertTrue(r.out().contains("run 1: 4 steps"), r.out());
    }

    @Test
    void theHelpSaysWhereTheDefaultsComeFrom() {
        for (String[] cmd : new String[][] {{"generate", "--help"}, {"ask", "--help"}, {"eval", "run", "--help"},
            {"bench", "generate", "--help"}}) {
            String help = GenerateGoldenCliTest.medv(cmd).out().replaceAll("\\s+", " "); // picocli wraps lines
            assertTrue(help.contains("generation_config.json gen_length, else 128"), String.join(" ", cmd) + help);
            assertTrue(help.contains("--forbid-ids"), help);
        }
    }
}
