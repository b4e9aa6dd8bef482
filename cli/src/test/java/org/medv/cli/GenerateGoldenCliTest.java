package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every golden run through {@code medv generate --format json --trace}: ids at every step and the output. */
class GenerateGoldenCliTest {
    static final Path GOLDEN = root().resolve("testdata/golden");
    static final Path TOWER = GOLDEN.resolve("tiny-llada-medv/vision_tower");

    record Result(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }
    }

    static Result medv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenRun() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String set : List.of("tiny-llada-medv", "tiny-llada-medv-anyres")) {
            Path dir = GOLDEN.resolve(set);
            JsonObject e = JsonParser.parseString(Files.readString(dir.resolve("expected.json"))).getAsJsonObject();
            JsonArray runs = e.getAsJsonArray("runs");
            for (int i = 0; i < runs.size(); i++) {
                JsonObject run = runs.get(i).getAsJsonObject();
                List<String> args = new ArrayList<>(List.of("generate", "--model", dir.resolve("model").toString(),
                        "--vision-tower", TOWER.toString(), "--image",
                        dir.resolve(e.get("prompt_image").getAsString()).toString(),
                        "--prompt-ids", csv(e.getAsJsonArray("prompt_ids"))));
                args.addAll(sampling(run));
                // runs without "stop" were made without stop sequences; the CLI's default is <|eot_id|>
                args.addAll(List.of("--stop-ids", run.has("stop") ? stops(run.getAsJsonArray("stop")) : "none"));
                tests.add(DynamicTest.dynamicTest(set + " run " + i, () -> check(run, args)));
            }
            JsonArray text = e.getAsJsonArray("text_runs");
            for (int i = 0; text != null && i < text.size(); i++) {
                JsonObject run = text.get(i).getAsJsonObject();
                List<String> args = new ArrayList<>(List.of("generate", "--model", dir.resolve("model").toString(),
                        "--prompt-ids", csv(run.getAsJsonArray("prompt_ids")), "--forbid-ids", "none",
                        "--stop-ids", "none"));
                args.addAll(sampling(run));
                tests.add(DynamicTest.dynamicTest(set + " text run " + i, () -> check(run, args)));
            }
        }
        return tests.stream();
    }

    private static void check(JsonObject run, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--format", "json", "--trace"));
        Result r = medv(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonObject o = r.json();
        assertEquals(run.get("output_ids"), o.get("output_ids"));
        JsonArray states = run.getAsJsonArray("states_before_each_forward");
        JsonArray trace = o.getAsJsonArray("trace");
        assertEquals(states.size(), trace.size(), "one trace entry per forward");
        // the state after step s is the state before forward s + 1
        for (int s = 0; s + 1 < states.size(); s++) {
            assertEquals(states.get(s + 1), trace.get(s), "after step " + s);
        }
        assertTrue(o.getAsJsonObject("timing").get("load_ms").getAsLong() >= 0);
        assertTrue(o.getAsJsonObject("timing").has("generate_ms"));
        assertEquals("exact", o.get("mode").getAsString(), "the golden runs are LLaDA's exact computation");
    }

    @Test
    void textFormatPrintsIdsWithoutTokenizer() {
        Path model = GOLDEN.resolve("tiny-llada-medv/model");
        Result r = medv("generate", "--model", model.toString(), "--prompt-ids", "126080,126346,3840,126347,198,198",
                "--gen-length", "4", "--block-length", "4", "--steps", "4", "--forbid-ids", "none", "--stop-ids",
                "none");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().trim().matches("\\d+(,\\d+){3}"), r.out());
    }

    static List<String> sampling(JsonObject run) {
        List<String> a = new ArrayList<>(List.of("--gen-length", run.get("gen_length").getAsString(),
                "--block-length", run.get("block_length").getAsString(), "--steps", run.get("steps").getAsString()));
        if (run.has("cfg_scale")) {
            a.addAll(List.of("--cfg-scale", run.get("cfg_scale").getAsString()));
        }
        return a;
    }

    static String csv(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.getAsString()));
        return String.join(",", out);
    }

    static String stops(JsonArray a) {
        List<String> seqs = new ArrayList<>();
        for (JsonElement s : a) {
            seqs.add(csv(s.getAsJsonArray()));
        }
        return seqs.stream().collect(Collectors.joining(";"));
    }

    static Path root() {
        String p = System.getProperty("medv.repo.root");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata/golden"))) {
                return d;
            }
        }
        throw new IllegalStateException("testdata/golden not found above " + start);
    }
}
