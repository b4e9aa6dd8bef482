package org.medv.model.sampler;

import org.medv.model.EngineTest;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.medv.model.Golden;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every golden run, step by step: the generated region before each forward of the reference must equal ours, and
 * the returned ids too. Multimodal runs start from the reference's prompt embeddings; text runs from prompt ids.
 */
class SamplerGoldenTest extends EngineTest {

    @TestFactory
    Stream<DynamicTest> baseRuns() {
        return runs(Golden.base());
    }

    @TestFactory
    Stream<DynamicTest> anyresRuns() {
        return runs(Golden.anyres());
    }

    private Stream<DynamicTest> runs(Path set) {
        ModelConfig cfg = ModelConfig.load(set.resolve("model"));
        LladaModel model;
        try (Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
            model = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, DataType.FLOAT32), manager);
        }
        NDArray promptEmbeds;
        try (Checkpoint expected = Checkpoint.open(set.resolve("expected.safetensors"))) {
            promptEmbeds = expected.load(manager, "prompt.inputs_embeds", DataType.FLOAT32);
        }
        JsonObject exp = Golden.expected(set);
        List<DynamicTest> tests = new ArrayList<>();
        JsonArray runs = exp.getAsJsonArray("runs");
        for (int i = 0; i < runs.size(); i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            tests.add(DynamicTest.dynamicTest("multimodal run " + i + " " + describe(run),
                    () -> check(model, cfg.tokens(), promptEmbeds, run, null, null)));
        }
        JsonArray text = exp.getAsJsonArray("text_runs");
        for (int i = 0; text != null && i < text.size(); i++) {
            JsonObject run = text.get(i).getAsJsonObject();
            long[] ids = ints(run.getAsJsonArray("prompt_ids")).stream().mapToLong(Integer::longValue).toArray();
            tests.add(DynamicTest.dynamicTest("text run " + i + " " + describe(run), () -> {
                // generate.py: no forbidden tokens, no stop sequences
                check(model, cfg.tokens(), model.embed(manager, ids), run, List.of(), List.of());
            }));
        }
        return tests.stream();
    }

    private static void check(LladaModel model, SpecialTokens tokens, NDArray prompt, JsonObject run,
                              List<Integer> forbid, List<List<Integer>> stopOverride) {
        List<List<Integer>> stops = stopOverride;
        if (stops == null) {
            stops = new ArrayList<>();
            if (run.has("stop")) {
                for (JsonElement s : run.getAsJsonArray("stop")) {
                    stops.add(ints(s.getAsJsonArray()));
                }
            }
        }
        GenerationOptions o = new GenerationOptions(run.get("gen_length").getAsInt(),
                run.get("block_length").getAsInt(), run.get("steps").getAsInt(), 0.0, 0,
                run.has("cfg_scale") ? run.get("cfg_scale").getAsDouble() : 0.0, Remasking.LOW_CONFIDENCE, forbid,
                stops);
        List<int[]> before = new ArrayList<>();
        int[] start = new int[o.genLength()];
        Arrays.fill(start, tokens.mask());
        before.add(start);
        GenerationResult r = new DiffusionSampler(model, tokens).generate(prompt, o, e -> before.add(e.ids()));
        JsonArray states = run.getAsJsonArray("states_before_each_forward");
        assertEquals(states.size(), r.stepsRun(), "number of forwards");
        for (int s = 0; s < states.size(); s++) {
            assertArrayEquals(ints(states.get(s).getAsJsonArray()).stream().mapToInt(Integer::intValue).toArray(),
                    before.get(s), "state before forward " + s);
        }
        assertArrayEquals(ints(run.getAsJsonArray("output_ids")).stream().mapToInt(Integer::intValue).toArray(),
                r.outputIds(), "output_ids");
    }

    private static String describe(JsonObject run) {
        return "gen=" + run.get("gen_length") + " block=" + run.get("block_length") + " steps=" + run.get("steps")
                + (run.has("cfg_scale") ? " cfg=" + run.get("cfg_scale") : "")
                + (run.has("stop") ? " stop=" + run.get("stop") : "");
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsInt()));
        return out;
    }
}
