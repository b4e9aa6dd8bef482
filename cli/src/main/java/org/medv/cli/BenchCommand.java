package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.medv.model.InvalidRequestException;
import org.medv.model.MedvModel;
import org.medv.model.RandomModelWriter;
import org.medv.model.config.GenerationDefaults;
import org.medv.model.config.SpecialTokens;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepEvent;
import org.medv.model.sampler.StepListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code medv bench generate}: load time, ms per denoising step, tokens per second and peak RSS. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print numbers.",
        subcommands = {BenchCommand.Generate.class, BenchStreamCommand.class})
final class BenchCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Time generation on a model directory or on a random model of a given size.",
                "Sampler flags left out take the model's generation_config.json defaults, else 128 / 128 / 128."})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "DIR", description = "model directory to benchmark")
        Path model;


        @Option(names = "--random", paramLabel = "SPEC",
                description = "random model instead: hidden=512,layers=8,heads=8,kv=8,ff=1376,vocab=32000,positions=4096")
        String random;

        @Option(names = "--image", paramLabel = "FILE", description = "include this image (multimodal models)")
        Path image;

        @Option(names = "--prompt-length", description = "random text prompt length in tokens (default ${DEFAULT-VALUE})")
        int promptLength = 64;

        @Option(names = "--runs", description = "timed runs after one warm-up run (default ${DEFAULT-VALUE})")
        int runs = 1;

        @Option(names = "--modes", split = ",", paramLabel = "MODE",
                description = {"decoding modes to time one after the other in this process, compared with the first"
                        + " (speed-up, same answer): exact, none|prefix|dual, with +t<threshold> and /r<refresh>,"
                        + " e.g. exact,prefix,dual,dual+t0.9. Default: the sampler flags' one mode."})
        List<String> modes;



        @Mixin
        GenerationFlags flags = new GenerationFlags();

        @Mixin
        ModelFlags modelFlags = new ModelFlags();

        @Mixin
        OutputFormat output = new OutputFormat();

        @Override
        public Integer call() throws IOException {
            if ((model == null) == (random == null)) {
                throw new InvalidRequestException("model", "give exactly one of --model DIR and --random SPEC");
            }
            boolean json = output.json();
            PrintWriter out = output.log(spec); // the text report; stderr when stdout holds the JSON
            JsonObject result = new JsonObject();
            Path dir = model;
            Path tmp = null;
            if (random != null) {
                RandomModelWriter.Spec s = RandomModelWriter.Spec.parse(random);
                tmp = Files.createTempDirectory("medv-bench-");
                dir = tmp;
                long t = System.nanoTime();
                SpecialTokens tokens = s.vocab() > SpecialTokens.LLADA.eot() ? SpecialTokens.LLADA
                        : new SpecialTokens(s.vocab() - 1, s.vocab() - 2, s.vocab() - 3, s.vocab() - 4, s.vocab() - 5,
                        s.vocab() - 6, s.vocab() - 3);
                RandomModelWriter.write(dir, s, tokens);
                long writeMs = (System.nanoTime() - t) / 1_000_000;
                out.printf("random model: %s (%.1fM language-model parameters), written in %d ms%n", random,
                        s.llmParameters() / 1e6, writeMs);
                JsonObject r = new JsonObject();
                r.addProperty("spec", random);
                r.addProperty("llm_parameters", s.llmParameters());
                r.addProperty("write_ms", writeMs);
                result.add("random", r);
            }
            try {
                run(dir, out, result);
            } finally {
                if (tmp != null) {
                    deleteTree(tmp);
                }
            }
            if (json) {
                OutputFormat.print(spec.commandLine().getOut(), result);
            }
            return 0;
        }

        /**
         * Prints the text report line by line as it is measured and fills {@code result}: model (without --random),
         * dtype, device, load_ms, prompt_tokens, images, gen_length, block_length, steps, mode, runs (steps, ms,
         * ms_per_step, tokens, tokens_per_s each), peak_rss_mib.
         */
        private void run(Path dir, PrintWriter out, JsonObject result) throws IOException {
            // the model's sampler defaults for flags left out; no stop sequence unless --stop-ids: every step is timed
            GenerationOptions options = flags.toOptions(GenerationDefaults.load(dir));
            if (flags.stopIds == null) {
                options = options.withStops(List.of());
            }
            long t0 = System.nanoTime();
            try (MedvModel m = modelFlags.load(dir, spec.commandLine().getErr())) {
                double loadMs = (System.nanoTime() - t0) / 1e6;
                List<byte[]> images = image == null ? List.of() : List.of(Files.readAllBytes(image));
                int[] prompt = prompt(m, images.size());
                out.printf("model: %s  dtype=%s  device=%s%n", dir, modelFlags.target.dtype, modelFlags.target.device);
                out.printf("load: %.0f ms%n", loadMs);
                out.printf("prompt: %d tokens%s, gen_length=%d block_length=%d steps=%d mode=%s%n", prompt.length,
                        images.isEmpty() ? "" : " + 1 image", options.genLength(), options.blockLength(),
                        options.steps(), options.modeName());
                if (model != null) {
                    result.addProperty("model", model.toString());
                }
                result.addProperty("dtype", modelFlags.target.dtype);
                result.addProperty("device", modelFlags.target.device);
                result.addProperty("load_ms", loadMs);
                result.addProperty("prompt_tokens", prompt.length);
                result.addProperty("images", images.size());
                result.addProperty("gen_length", options.genLength());
                result.addProperty("block_length", options.blockLength());
                result.addProperty("steps", options.steps());
                result.addProperty("mode", options.modeName());
                List<String> names = modes == null ? List.of(options.modeName()) : modes;
                JsonArray byMode = new JsonArray();
                double firstMs = 0;
                int[] firstIds = null;
                for (String name : names) {
                    GenerationOptions o = options.withModeName(name);
                    JsonArray timed = new JsonArray();
                    m.generate(prompt, images, o, new WarmUp(2)); // warm-up: the first steps only
                    double best = Double.MAX_VALUE;
                    int[] ids = null;
                    for (int r = 0; r < runs; r++) {
                        long t = System.nanoTime();
                        GenerationResult res = m.generate(prompt, images, o, e -> { });
                        double ms = (System.nanoTime() - t) / 1e6;
                        int tokens = res.outputIds().length;
                        ids = res.finalIds();
                        best = Math.min(best, ms);
                        out.printf("%s run %d: %d steps in %.0f ms = %.1f ms/step, %.2f tokens/s (%d tokens)%n",
                                o.modeName(), r + 1, res.stepsRun(), ms, ms / res.stepsRun(), tokens / (ms / 1000),
                                tokens);
                        JsonObject run = new JsonObject();
                        run.addProperty("steps", res.stepsRun());
                        run.addProperty("ms", ms);
                        run.addProperty("ms_per_step", ms / res.stepsRun());
                        run.addProperty("tokens", tokens);
                        run.addProperty("tokens_per_s", tokens / (ms / 1000));
                        timed.add(run);
                    }
                    if (firstIds == null) {
                        firstMs = best;
                        firstIds = ids;
                    }
                    int same = 0;
                    for (int i = 0; i < ids.length; i++) {
                        same += ids[i] == firstIds[i] ? 1 : 0;
                    }
                    out.printf("%s: best %.0f ms, %.2fx the speed of %s, %d of %d answer positions the same%n",
                            o.modeName(), best, firstMs / best, names.get(0), same, ids.length);
                    JsonObject mode = new JsonObject();
                    mode.addProperty("mode", o.modeName());
                    mode.add("runs", timed);
                    mode.addProperty("best_ms", best);
                    mode.addProperty("speedup", firstMs / best);
                    mode.addProperty("same_positions", same);
                    byMode.add(mode);
                    if (name.equals(names.get(0))) {
                        result.add("runs", timed);
                    }
                }
                result.add("modes", byMode);
            }
            long rssMib = peakRssKb() / 1024;
            out.printf("peak RSS: %d MiB%n", rssMib);
            out.flush();
            result.addProperty("peak_rss_mib", rssMib);
        }

        /** A seeded random text prompt that avoids the special ids; -200 first when an image is given. */
        private int[] prompt(MedvModel m, int images) {
            SplittableRandom rng = new SplittableRandom(1);
            int vocab = Math.min(m.llm().vocabSize(), m.tokens().bos());
            int[] ids = new int[promptLength + images];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i < images ? -200 : rng.nextInt(Math.max(1, vocab));
            }
            return ids;
        }

        private static long peakRssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        }

        private static void deleteTree(Path dir) throws IOException {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Cancels a generation after a few steps: enough to warm up the JIT and the allocator. */
    private static final class WarmUp implements StepListener {
        private final int steps;
        private int seen;

        WarmUp(int steps) {
            this.steps = steps;
        }

        @Override
        public void onStep(StepEvent event) {
            seen++;
        }

        @Override
        public boolean cancelled() {
            return seen >= steps;
        }
    }

    private BenchCommand() {
    }
}
