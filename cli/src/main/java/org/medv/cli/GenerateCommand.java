package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.medv.model.InvalidRequestException;
import org.medv.model.MedvModel;
import org.medv.model.config.GenerationDefaults;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.GenerationResult;
import org.medv.model.sampler.StepListener;
import org.medv.model.text.PromptBuilder;
import picocli.CommandLine.ArgGroup;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code medv generate}: one answer from a model directory, an optional image and a prompt. Other tools depend on
 * its flags and its JSON output exactly; see the README. Sampler flags left out take the model's defaults.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate an answer with the masked-diffusion sampler.",
            "Sampler flags left out take the model's defaults: the keys gen_length, block_length, steps, temperature,"
                + " cfg_scale and remasking of its generation_config.json, else 128 / 128 / 128, temperature 0,"
                + " low_confidence."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model directory (config.json + safetensors)")
    Path model;


    @Option(names = "--image", paramLabel = "FILE", description = "PNG or JPEG; repeat for several images")
    List<Path> images = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt-ids", paramLabel = "CSV",
                description = "raw prompt token ids; -200 marks where each image's embeddings go")
        String ids;

        @Option(names = "--question", paramLabel = "TEXT",
                description = "a question, put into the LLaVA-LLaDA chat template (needs tokenizer.json)")
        String question;
    }

    @Option(names = "--system-prompt", paramLabel = "TEXT",
            description = "system prompt for --question (default: the model's, LLaVA-LLaDA's unless its config.json"
                    + " says otherwise); empty string for none")
    String systemPrompt;

    @Mixin
    GenerationFlags flags = new GenerationFlags();

    @Mixin
    ModelFlags modelFlags = new ModelFlags();

    @Option(names = "--trace", description = "also report the generated region after every denoising step")
    boolean trace;

    @Mixin
    OutputFormat output = new OutputFormat();



    @Override
    public Integer call() throws IOException {
        boolean json = output.json();
        // the model's defaults from generation_config.json alone: bad flags fail before the weights load
        GenerationOptions options = flags.toOptions(GenerationDefaults.load(model));
        List<byte[]> imageBytes = new ArrayList<>();
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                throw new InvalidRequestException("image", "image file " + p + " does not exist");
            }
            imageBytes.add(Files.readAllBytes(p));
        }
        long t0 = System.nanoTime();
        try (MedvModel m = modelFlags.load(model, spec.commandLine().getErr())) {
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            int[] promptIds = promptIds(m, imageBytes.size());
            List<int[]> steps = new ArrayList<>();
            StepListener listener = e -> {
                if (trace) {
                    steps.add(e.ids());
                }
            };
            long t1 = System.nanoTime();
            GenerationResult r = m.generate(promptIds, imageBytes, options, listener);
            long genMs = (System.nanoTime() - t1) / 1_000_000;
            String text = m.decode(r.outputIds());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                OutputFormat.print(out, json(r, text, options.modeName(), steps, loadMs, genMs));
            } else {
                for (int i = 0; i < steps.size(); i++) {
                    out.println("step " + (i + 1) + ": " + draft(m, steps.get(i)));
                }
                out.println(text != null ? text : csv(r.outputIds()));
            }
            out.flush();
        }
        return 0;
    }

    private int[] promptIds(MedvModel m, int numImages) {
        if (prompt.ids != null) {
            return IdLists.csv("prompt_ids", prompt.ids);
        }
        PromptBuilder builder = systemPrompt == null ? m.prompts()
                : m.prompts().withSystemPrompt(systemPrompt.isEmpty() ? null : systemPrompt);
        return builder.promptIds(prompt.question, numImages);
    }

    private JsonObject json(GenerationResult r, String text, String mode, List<int[]> steps, long loadMs,
                            long genMs) {
        JsonObject o = OutputFormat.answer(OutputFormat.ids(r.outputIds()), text, r.finishReason().name(),
                r.stepsRun());
        o.addProperty("mode", mode);
        if (trace) {
            JsonArray t = new JsonArray();
            steps.forEach(s -> t.add(OutputFormat.ids(s)));
            o.add("trace", t);
        }
        JsonObject timing = new JsonObject();
        timing.addProperty("load_ms", loadMs);
        timing.addProperty("generate_ms", genMs);
        timing.addProperty("ms_per_step", OutputFormat.msPerStep(genMs, r.stepsRun()));
        o.add("timing", timing);
        return o;
    }

    /** The step's text with masked positions shown as a placeholder, or the ids without a tokenizer. */
    private static String draft(MedvModel m, int[] ids) {
        if (m.tokenizer() == null) {
            return csv(ids);
        }
        StringBuilder sb = new StringBuilder();
        List<Integer> run = new ArrayList<>();
        for (int id : ids) {
            if (id == m.tokens().mask()) {
                sb.append(m.tokenizer().decode(run.stream().mapToInt(Integer::intValue).toArray(), true));
                run.clear();
                sb.append("░");
            } else {
                run.add(id);
            }
        }
        sb.append(m.tokenizer().decode(run.stream().mapToInt(Integer::intValue).toArray(), true));
        return sb.toString();
    }

    private static String csv(int[] ids) {
        return String.join(",", Arrays.stream(ids).mapToObj(Integer::toString).toList());
    }
}
