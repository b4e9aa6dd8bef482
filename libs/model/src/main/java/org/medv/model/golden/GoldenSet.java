package org.medv.model.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.medv.model.ModelLoadException;
import org.medv.model.config.ModelConfig;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.sampler.DiffusionSampler;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One golden set of {@code testdata/golden} (a tiny checkpoint and what upstream computes for it step by step),
 * loaded on a manager's device in a dtype, and replayed run by run. Multimodal runs start from the reference's prompt
 * embeddings ({@code generate_with_embeds}, the model's forbidden tokens, the run's stop sequences); text runs embed
 * {@code prompt_ids} ({@code generate.py}: no forbidden tokens, no stop sequences). The sampler tests, the f16
 * agreement test and {@code medv doctor} all replay through here.
 */
public final class GoldenSet {
    private final String name;
    private final ModelConfig config;
    private final LladaModel model;
    private final NDArray promptEmbeds;
    private final NDManager manager;
    private final List<Run> runs;

    /**
     * One reference generation: its options, the prompt ids for a text run (null for a multimodal one), the ids
     * upstream returned and the generated region before each of its forwards (starting with all masks).
     */
    public record Run(String name, GenerationOptions options, long[] textPromptIds, int[] outputIds,
                      List<int[]> statesBeforeEachForward) {
    }

    /** What our sampler did for a run: its output and the generated region before each forward. */
    public record Replay(Run run, int[] outputIds, List<int[]> statesBeforeEachForward, int stepsRun) {
        public boolean sameAnswer() {
            return Arrays.equals(run.outputIds(), outputIds);
        }

        /** States equal to the reference's at the same index. */
        public int sameStates() {
            int same = 0;
            List<int[]> want = run.statesBeforeEachForward();
            for (int s = 0; s < want.size(); s++) {
                if (s < statesBeforeEachForward.size() && Arrays.equals(want.get(s), statesBeforeEachForward.get(s))) {
                    same++;
                }
            }
            return same;
        }

        /** Everything identical: the answer, the number of forwards and every state. */
        public boolean identical() {
            return sameAnswer() && stepsRun == run.statesBeforeEachForward().size()
                    && sameStates() == run.statesBeforeEachForward().size();
        }
    }

    private GoldenSet(String name, ModelConfig config, LladaModel model, NDArray promptEmbeds, NDManager manager,
                      List<Run> runs) {
        this.name = name;
        this.config = config;
        this.model = model;
        this.promptEmbeds = promptEmbeds;
        this.manager = manager;
        this.runs = runs;
    }

    /** The set directories under {@code root}: every sub-directory holding an {@code expected.json}, by name. */
    public static List<Path> under(Path root) {
        try (var dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("expected.json"))).sorted().toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list golden sets in " + root + ": " + e.getMessage(), e);
        }
    }

    public static JsonObject expected(Path set) {
        try {
            return JsonParser.parseString(Files.readString(set.resolve("expected.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + set.resolve("expected.json") + ": " + e.getMessage(), e);
        }
    }

    /** Loads the set's checkpoint in {@code dtype} on {@code manager}'s device (the reference embeddings are cast). */
    public static GoldenSet load(Path set, NDManager manager, DataType dtype) {
        ModelConfig cfg = ModelConfig.load(set.resolve("model"));
        LladaModel model;
        try (Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
            model = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, dtype), manager);
        }
        NDArray embeds;
        try (Checkpoint expected = Checkpoint.open(set.resolve("expected.safetensors"))) {
            embeds = expected.load(manager, "prompt.inputs_embeds", DataType.FLOAT32);
        }
        if (dtype != DataType.FLOAT32) {
            embeds = embeds.toType(dtype, false);
        }
        return new GoldenSet(set.getFileName().toString(), cfg, model, embeds, manager, runs(expected(set)));
    }

    private static List<Run> runs(JsonObject exp) {
        List<Run> out = new ArrayList<>();
        JsonArray runs = exp.getAsJsonArray("runs");
        for (int i = 0; i < runs.size(); i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            List<List<Integer>> stops = new ArrayList<>();
            if (run.has("stop")) {
                for (JsonElement s : run.getAsJsonArray("stop")) {
                    stops.add(ints(s.getAsJsonArray()));
                }
            }
            out.add(run("multimodal " + i, run, null, null, stops));
        }
        JsonArray text = exp.getAsJsonArray("text_runs");
        for (int i = 0; text != null && i < text.size(); i++) {
            JsonObject run = text.get(i).getAsJsonObject();
            long[] ids = ints(run.getAsJsonArray("prompt_ids")).stream().mapToLong(Integer::longValue).toArray();
            out.add(run("text " + i, run, ids, List.of(), List.of()));
        }
        return List.copyOf(out);
    }

    private static Run run(String name, JsonObject run, long[] promptIds, List<Integer> forbid,
                           List<List<Integer>> stops) {
        GenerationOptions o = new GenerationOptions(run.get("gen_length").getAsInt(),
                run.get("block_length").getAsInt(), run.get("steps").getAsInt(), 0.0, 0,
                run.has("cfg_scale") ? run.get("cfg_scale").getAsDouble() : 0.0, Remasking.LOW_CONFIDENCE, forbid,
                stops);
        List<int[]> states = new ArrayList<>();
        for (JsonElement s : run.getAsJsonArray("states_before_each_forward")) {
            states.add(array(s.getAsJsonArray()));
        }
        return new Run(name, o, promptIds, array(run.getAsJsonArray("output_ids")), List.copyOf(states));
    }

    public String name() {
        return name;
    }

    public ModelConfig config() {
        return config;
    }

    public List<Run> runs() {
        return runs;
    }

    /** Runs our sampler as the reference did for {@code run}, recording the generated region before each forward. */
    public Replay replay(Run run) {
        List<int[]> before = new ArrayList<>();
        int[] start = new int[run.options().genLength()];
        Arrays.fill(start, config.tokens().mask());
        before.add(start);
        NDArray prompt = run.textPromptIds() == null ? promptEmbeds : model.embed(manager, run.textPromptIds());
        GenerationResult r = new DiffusionSampler(model, config.tokens()).generate(prompt, run.options(),
                e -> before.add(e.ids()));
        return new Replay(run, r.outputIds(), before, r.stepsRun());
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsInt()));
        return out;
    }

    private static int[] array(JsonArray a) {
        return ints(a).stream().mapToInt(Integer::intValue).toArray();
    }
}
