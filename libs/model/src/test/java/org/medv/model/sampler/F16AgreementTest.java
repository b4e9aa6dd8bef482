package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.medv.model.EngineTest;
import org.medv.model.Golden;
import org.medv.model.config.ModelConfig;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * f16, what a GPU runs, against the golden sets computed in f32: how many runs give the same answer, and how many
 * states before a forward match step by step. The figures are printed and recorded in docs/benchmarks.md; the
 * assertions hold them (f16 on the CPU engine is deterministic). The tiny random checkpoints are a hard case: their
 * confidences are nearly uniform (relative gaps down to 6e-4), so f16 rounding reorders near-ties.
 */
class F16AgreementTest extends EngineTest {

    @Test
    void f16AgreesWithTheGoldenSets() {
        int[] totals = new int[4]; // runs, same answers, states, same states
        StringBuilder report = new StringBuilder();
        for (Path set : List.of(Golden.base(), Golden.anyres())) {
            ModelConfig cfg = ModelConfig.load(set.resolve("model"));
            LladaModel model;
            try (Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
                model = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, DataType.FLOAT16),
                        manager);
            }
            NDArray image;
            try (Checkpoint expected = Checkpoint.open(set.resolve("expected.safetensors"))) {
                image = expected.load(manager, "prompt.inputs_embeds", DataType.FLOAT32).toType(DataType.FLOAT16,
                        false);
            }
            JsonObject exp = Golden.expected(set);
            JsonArray runs = exp.getAsJsonArray("runs");
            for (int i = 0; i < runs.size(); i++) {
                JsonObject run = runs.get(i).getAsJsonObject();
                compare(model, cfg, image, run, null, totals, report, set.getFileName() + " multimodal " + i);
            }
            JsonArray text = exp.getAsJsonArray("text_runs");
            for (int i = 0; text != null && i < text.size(); i++) {
                JsonObject run = text.get(i).getAsJsonObject();
                long[] ids = ints(run.getAsJsonArray("prompt_ids")).stream().mapToLong(Integer::longValue).toArray();
                compare(model, cfg, model.embed(manager, ids), run, List.of(), totals, report,
                        set.getFileName() + " text " + i);
            }
        }
        System.out.printf("f16 vs golden f32: %d of %d answers identical, %d of %d states before a forward%n%s",
                totals[1], totals[0], totals[3], totals[2], report);
        assertEquals(List.of(12, 10, 135, 127), Arrays.stream(totals).boxed().toList());
    }

    private static void compare(LladaModel model, ModelConfig cfg, NDArray prompt, JsonObject run,
                                List<Integer> forbidText, int[] totals, StringBuilder report, String name) {
        List<List<Integer>> stops = new ArrayList<>();
        if (forbidText == null && run.has("stop")) {
            for (JsonElement s : run.getAsJsonArray("stop")) {
                stops.add(ints(s.getAsJsonArray()));
            }
        }
        GenerationOptions o = new GenerationOptions(run.get("gen_length").getAsInt(),
                run.get("block_length").getAsInt(), run.get("steps").getAsInt(), 0.0, 0,
                run.has("cfg_scale") ? run.get("cfg_scale").getAsDouble() : 0.0, Remasking.LOW_CONFIDENCE, forbidText,
                stops);
        List<int[]> before = new ArrayList<>();
        int[] start = new int[o.genLength()];
        Arrays.fill(start, cfg.tokens().mask());
        before.add(start);
        GenerationResult r = new DiffusionSampler(model, cfg.tokens()).generate(prompt, o, e -> before.add(e.ids()));
        JsonArray states = run.getAsJsonArray("states_before_each_forward");
        int same = 0;
        for (int s = 0; s < states.size(); s++) {
            int[] want = ints(states.get(s).getAsJsonArray()).stream().mapToInt(Integer::intValue).toArray();
            if (s < before.size() && Arrays.equals(want, before.get(s))) {
                same++;
            }
        }
        boolean answer = Arrays.equals(ints(run.getAsJsonArray("output_ids")).stream().mapToInt(Integer::intValue)
                .toArray(), r.outputIds());
        totals[0]++;
        totals[1] += answer ? 1 : 0;
        totals[2] += states.size();
        totals[3] += same;
        report.append(String.format("  %s: answer %s, %d of %d states%n", name, answer ? "same" : "differs", same,
                states.size()));
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsInt()));
        return out;
    }
}
