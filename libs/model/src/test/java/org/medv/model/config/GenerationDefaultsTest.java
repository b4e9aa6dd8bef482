package org.medv.model.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.ModelLoadException;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** generation_config.json's sampler defaults, and LLaDA-MedV's 128 / 128 / 128 where a model declares none. */
public class GenerationDefaultsTest {

    @Test
    void aModelWithoutSamplerKeysKeepsLladaMedvsSettings(@TempDir Path dir) {
        DemoModel.write(dir, 1); // its generation_config.json has only bos/eos ids
        assertEquals(GenerationOptions.defaults(), ModelConfig.load(dir).generationDefaults());
        assertEquals(GenerationOptions.defaults(), GenerationDefaults.load(dir.resolve("no-such-dir")));
    }

    @Test
    void declaredKeysOverrideTheDefaultsAndTheRestStay(@TempDir Path dir) throws Exception {
        DemoModel.write(dir, 1);
        Files.writeString(dir.resolve(GenerationDefaults.FILE), """
                {"eos_token_id": 7, "gen_length": 64, "block_length": 32, "steps": 64, "remasking": "random",
                 "temperature": 0.5}""");
        GenerationOptions d = ModelConfig.load(dir).generationDefaults();
        assertEquals(64, d.genLength());
        assertEquals(32, d.blockLength());
        assertEquals(64, d.steps());
        assertEquals(0.5, d.temperature());
        assertEquals(Remasking.RANDOM, d.remasking());
        assertEquals(0.0, d.cfgScale(), "cfg_scale not declared: LLaDA-MedV's 0");
    }

    @Test
    void declareMergesIntoTheFileAndKeepsItsOtherKeys(@TempDir Path dir) throws Exception {
        DemoModel.write(dir, 1);
        int eos = ModelConfig.load(dir).tokens().eos();
        GenerationDefaults.declare(dir, Map.of("gen_length", 16, "block_length", 8, "steps", 16,
                "remasking", "random"));
        GenerationOptions d = GenerationDefaults.load(dir);
        assertEquals(List.of(16, 8, 16), List.of(d.genLength(), d.blockLength(), d.steps()));
        assertEquals(Remasking.RANDOM, d.remasking());
        assertEquals(eos, ModelConfig.load(dir).tokens().eos(), "eos_token_id kept");
        assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.declare(dir, Map.of("max_new_tokens", 9)));
    }

    @Test
    void inconsistentDefaultsFailTheLoadNamingFileAndKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(GenerationDefaults.FILE), "{\"gen_length\": 100, \"block_length\": 32}");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> GenerationDefaults.load(dir));
        assertTrue(e.getMessage().contains(GenerationDefaults.FILE) && e.getMessage().contains("gen_length=100")
                && e.getMessage().contains("block_length=32"), e.getMessage());
    }
}
