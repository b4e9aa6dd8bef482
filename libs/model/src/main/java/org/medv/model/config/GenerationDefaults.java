package org.medv.model.config;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.medv.model.InvalidRequestException;
import org.medv.model.ModelLoadException;
import org.medv.model.sampler.CacheMode;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A model's sampler defaults: what every path (gRPC, HTTP/SSE, the page, the OpenAI API, {@code ask},
 * {@code generate}, {@code eval run}) uses for an option a request leaves unset. They come from the model directory's
 * {@code generation_config.json} ({@value #KEYS_TEXT}); a key it lacks, or a directory without the file, keeps
 * LLaDA-MedV's demo settings ({@link GenerationOptions#defaults()}: 128 / 128 / 128, greedy, low-confidence).
 * Hugging Face's own keys in that file ({@code eos_token_id}, {@code max_new_tokens}, ...) are not sampler
 * defaults and are ignored here.
 */
public final class GenerationDefaults {
    public static final String FILE = "generation_config.json";
    static final String KEYS_TEXT = "gen_length, block_length, steps, temperature, cfg_scale, remasking, cache, "
            + "threshold, refresh_every";
    /** The keys read, in the order they are documented. */
    public static final Set<String> KEYS = Set.of(KEYS_TEXT.split(", "));

    private GenerationDefaults() {
    }

    /** The defaults of {@code modelDir}; a value that is invalid or inconsistent fails the load naming the file. */
    public static GenerationOptions load(Path modelDir) {
        Json j = Json.readIfExists(modelDir.resolve(FILE));
        GenerationOptions base = GenerationOptions.defaults();
        if (j == null) {
            return base;
        }
        try {
            return new GenerationOptions(
                    j.intValue("gen_length", base.genLength()),
                    j.intValue("block_length", base.blockLength()),
                    j.intValue("steps", base.steps()),
                    j.doubleValue("temperature", base.temperature()),
                    base.seed(),
                    j.doubleValue("cfg_scale", base.cfgScale()),
                    j.has("remasking") ? Remasking.parse(j.string("remasking", null)) : base.remasking(),
                    null, null,
                    j.has("cache") ? CacheMode.parse(j.string("cache", null)) : base.cache(),
                    j.doubleValue("threshold", base.threshold()),
                    j.intValue("refresh_every", base.refreshEvery()));
        } catch (InvalidRequestException | NumberFormatException | IllegalStateException
                 | UnsupportedOperationException e) {
            throw new ModelLoadException("invalid sampler defaults in " + j.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Declares sampler defaults in {@code modelDir}'s {@code generation_config.json}, keeping its other keys (a model
     * directory's author, the trainer, tests). Values are numbers, or the remasking name; the result must load.
     */
    public static void declare(Path modelDir, Map<String, ?> defaults) {
        Path file = modelDir.resolve(FILE);
        Json existing = Json.readIfExists(file);
        JsonObject o = existing == null ? new JsonObject() : existing.raw().deepCopy();
        defaults.forEach((k, v) -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("not a sampler default: " + k + " (known: " + KEYS_TEXT + ")");
            }
            if (v instanceof Number n) {
                o.addProperty(k, n);
            } else {
                o.addProperty(k, String.valueOf(v));
            }
        });
        try {
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(o));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        load(modelDir);
    }
}
