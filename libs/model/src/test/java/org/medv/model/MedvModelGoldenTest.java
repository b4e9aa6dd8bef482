package org.medv.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.medv.model.image.PixelValues;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.Remasking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The whole path from the PNG file and prompt ids to the answer ids, through {@link MedvModel} as the CLI uses it
 * (the services hold the same sides apart): preprocessing, tower, projector, merge, splice, sampler.
 */
class MedvModelGoldenTest {

    @Test
    void promptEmbeddingsFromThePngMatchTheReference() throws IOException {
        for (Path set : List.of(Golden.base(), Golden.anyres())) {
            try (MedvModel model = load(set); NDManager m = model.manager().newSubManager();
                 Checkpoint exp = Checkpoint.open(set.resolve("expected.safetensors"))) {
                JsonObject e = Golden.expected(set);
                NDArray embeds = model.promptEmbeddings(m, ints(e.getAsJsonArray("prompt_ids")),
                        List.of(pixels(model, set, e)));
                Tensors.assertClose(exp.load(m, "prompt.inputs_embeds", DataType.FLOAT32), embeds, 1e-4, 1e-5,
                        set.getFileName() + " prompt.inputs_embeds");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRunReproducesFromThePng() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path set : List.of(Golden.base(), Golden.anyres())) {
            JsonObject e = Golden.expected(set);
            JsonArray runs = e.getAsJsonArray("runs");
            for (int i = 0; i < runs.size(); i++) {
                JsonObject run = runs.get(i).getAsJsonObject();
                tests.add(DynamicTest.dynamicTest(set.getFileName() + " run " + i, () -> {
                    try (MedvModel model = load(set)) {
                        byte[] png = Files.readAllBytes(set.resolve(e.get("prompt_image").getAsString()));
                        GenerationResult r = model.generate(ints(e.getAsJsonArray("prompt_ids")), List.of(png),
                                options(run), ev -> { });
                        assertArrayEquals(ints(run.getAsJsonArray("output_ids")), r.outputIds());
                        assertEquals(run.getAsJsonArray("states_before_each_forward").size(), r.stepsRun());
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void placeholderAndImageCountsMustAgree() throws IOException {
        Path set = Golden.base();
        try (MedvModel model = load(set); NDManager m = model.manager().newSubManager()) {
            JsonObject e = Golden.expected(set);
            InvalidRequestException ex = assertThrows(InvalidRequestException.class,
                    () -> model.promptEmbeddings(m, ints(e.getAsJsonArray("prompt_ids")), List.of()));
            assertEquals("image", ex.field());
            InvalidRequestException bad = assertThrows(InvalidRequestException.class,
                    () -> model.promptEmbeddings(m, new int[] {1, 999_999}, List.of()));
            assertEquals("prompt_ids", bad.field());
        }
    }

    static MedvModel load(Path set) {
        // the anyres set reuses the base set's stand-alone tower config (same tower weights)
        return MedvModel.load(LoadOptions.of(set.resolve("model"), Golden.base().resolve("vision_tower")));
    }

    private static PixelValues pixels(MedvModel model, Path set, JsonObject e) throws IOException {
        return model.vision().preprocess(Files.readAllBytes(set.resolve(e.get("prompt_image").getAsString())));
    }

    static GenerationOptions options(JsonObject run) {
        List<List<Integer>> stops = new ArrayList<>();
        if (run.has("stop")) {
            for (JsonElement s : run.getAsJsonArray("stop")) {
                List<Integer> seq = new ArrayList<>();
                s.getAsJsonArray().forEach(x -> seq.add(x.getAsInt()));
                stops.add(seq);
            }
        }
        return new GenerationOptions(run.get("gen_length").getAsInt(), run.get("block_length").getAsInt(),
                run.get("steps").getAsInt(), 0.0, 0, run.has("cfg_scale") ? run.get("cfg_scale").getAsDouble() : 0.0,
                Remasking.LOW_CONFIDENCE, null, stops);
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
