package org.medv.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Everything a training run needs. Read from a JSON object or a properties file with the same keys; relative paths
 * resolve against the config file's directory.
 *
 * <pre>
 * init              model directory, "random:hidden=64,layers=2,...,vision_hidden=32" (needs tokenizer), or "demo[:SEED]"
 * tokenizer         directory with tokenizer.json (random init only)
 * vision_tower      stand-alone SigLIP directory (as --vision-tower)
 * data, image_dir   LLaVA instruction JSON / JSONL (stage vision: per-image labels, {@link ImageLabels}), and
 *                   where its images are
 * eval_data         stage vision only: held-out labels (same format, images in image_dir) scored at the end
 * stage             vision | stage1 | stage2 | stage3;  train_vision  also train the vision tower (default false;
 *                   stage vision always trains tower and projector, its head at lr_projector)
 * lr_vision, lr_projector, lr_language     per-part learning rates (defaults: the stage's)
 * batch, accumulation, steps, warmup, seed
 * weight_decay (0), max_grad_norm (1.0), beta1 (0.9), beta2 (0.999), adam_eps (1e-8)
 * pad_to (0: no padding), system_prompt (default: the initial model's; "" for none)
 * pad_random_to     0 (off), or: each micro-batch is padded with EOS (labelled, as LLaDA's SFT pads) to a length drawn
 *                   per micro-batch ({@link EosPadding}) up to this many ids, so answers of any length are seen
 * block_noise       0 (off), or the share of samples noised as semi-autoregressive decoding sees them: clean blocks,
 *                   one block masked at p_mask, everything after it masked ({@link MaskedDiffusionLoss.BlockNoise});
 *                   block_noise_length (32) is the decoding block length it prepares for
 * pad_weight        what one EOS padding position counts for against an answer position in the loss and in n_b
 *                   (1, upstream; below 1 a long tail no longer dilutes the answer's tokens)
 * output, checkpoint_every (0: only at the end), log_every (1), resume (a checkpoint directory)
 * </pre>
 */
public record TrainConfig(String init, Path tokenizer, Path visionTower, Path data, Path imageDir, Path evalData,
                          Stage stage,
                          Map<Part, Double> learningRates, Set<Part> trainedParts, int batchSize, int accumulation,
                          int steps, int warmupSteps, long seed, double weightDecay, double maxGradNorm, double beta1,
                          double beta2, double adamEps, int padTo, int padRandomTo,
                          MaskedDiffusionLoss.BlockNoise blockNoise, double padWeight, String systemPrompt, Path output,
                          int checkpointEvery, int logEvery, Path resume) {

    public TrainConfig {
        if (batchSize <= 0 || accumulation <= 0 || steps <= 0) {
            throw new IllegalArgumentException("batch (" + batchSize + "), accumulation (" + accumulation
                    + ") and steps (" + steps + ") must be positive");
        }
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new IllegalArgumentException("warmup=" + warmupSteps + " must be in [0, steps=" + steps + "]");
        }
        if (checkpointEvery < 0 || logEvery <= 0 || padTo < 0) {
            throw new IllegalArgumentException("checkpoint_every and pad_to must be >= 0, log_every > 0");
        }
        if (padRandomTo < 0 || padRandomTo > 0 && padRandomTo < padTo) {
            throw new IllegalArgumentException("pad_random_to=" + padRandomTo + " must be 0 (off) or >= pad_to="
                    + padTo);
        }
        if (init == null || data == null) {
            throw new IllegalArgumentException("init and data are required");
        }
        if (evalData != null && !stage.usesImageLabels()) {
            throw new IllegalArgumentException("eval_data is read by stage vision only (stage " + stage + ")");
        }
        if (!(padWeight > 0 && padWeight <= 1)) {
            throw new IllegalArgumentException("pad_weight=" + padWeight + " must be in (0, 1]");
        }
        if (blockNoise == null) {
            blockNoise = MaskedDiffusionLoss.BlockNoise.OFF;
        }
        learningRates = Map.copyOf(learningRates);
        trainedParts = Set.copyOf(trainedParts);
    }

    /** Samples per optimizer step. */
    public int samplesPerStep() {
        return batchSize * accumulation;
    }

    public double lr(Part part) {
        return learningRates.get(part);
    }

    public TrainConfig withSteps(int newSteps) {
        return new TrainConfig(init, tokenizer, visionTower, data, imageDir, evalData, stage, learningRates,
                trainedParts, batchSize, accumulation, newSteps, warmupSteps, seed, weightDecay, maxGradNorm, beta1,
                beta2, adamEps, padTo, padRandomTo, blockNoise, padWeight, systemPrompt, output, checkpointEvery, logEvery, resume);
    }

    public TrainConfig withOutput(Path dir, int every) {
        return new TrainConfig(init, tokenizer, visionTower, data, imageDir, evalData, stage, learningRates,
                trainedParts, batchSize, accumulation, steps, warmupSteps, seed, weightDecay, maxGradNorm, beta1,
                beta2, adamEps, padTo, padRandomTo, blockNoise, padWeight, systemPrompt, dir, every, logEvery, resume);
    }

    public TrainConfig withResume(Path dir) {
        return new TrainConfig(init, tokenizer, visionTower, data, imageDir, evalData, stage, learningRates,
                trainedParts, batchSize, accumulation, steps, warmupSteps, seed, weightDecay, maxGradNorm, beta1,
                beta2, adamEps, padTo, padRandomTo, blockNoise, padWeight, systemPrompt, output, checkpointEvery, logEvery, dir);
    }

    /** Reads a .json file or a .properties file. */
    public static TrainConfig load(Path file) {
        Map<String, String> values = new HashMap<>();
        try {
            if (file.getFileName().toString().endsWith(".json")) {
                try (Reader r = Files.newBufferedReader(file)) {
                    JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
                    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                        if (!e.getValue().isJsonNull()) {
                            values.put(e.getKey(), e.getValue().getAsString());
                        }
                    }
                }
            } else {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k).trim()));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read training config " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return from(values, base);
    }

    /** Builds a config from key/value pairs (keys as in the class comment). */
    public static TrainConfig from(Map<String, String> v, Path base) {
        Set<String> known = Set.of("init", "tokenizer", "vision_tower", "data", "image_dir", "eval_data", "stage",
                "train_vision",
                "lr_vision", "lr_projector", "lr_language", "batch", "accumulation", "steps", "warmup", "seed",
                "weight_decay", "max_grad_norm", "beta1", "beta2", "adam_eps", "pad_to", "pad_random_to", "block_noise", "block_noise_length", "pad_weight", "system_prompt",
                "output",
                "checkpoint_every", "log_every", "resume");
        for (String k : v.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown training config key \"" + k + "\"; known: " + known);
            }
        }
        Stage stage = Stage.parse(v.getOrDefault("stage", "stage2"));
        Set<Part> trained = stage.trained();
        if (Boolean.parseBoolean(v.getOrDefault("train_vision", "false"))) {
            trained.add(Part.VISION_TOWER);
        }
        Map<Part, Double> lrs = new EnumMap<>(Part.class);
        lrs.put(Part.VISION_TOWER, dbl(v, "lr_vision", stage.defaultLr(Part.VISION_TOWER)));
        lrs.put(Part.PROJECTOR, dbl(v, "lr_projector", stage.defaultLr(Part.PROJECTOR)));
        lrs.put(Part.LANGUAGE_MODEL, dbl(v, "lr_language", stage.defaultLr(Part.LANGUAGE_MODEL)));
        int steps = integer(v, "steps", 100);
        String init = v.get("init");
        if (init != null && !init.startsWith("random:") && !init.startsWith("demo")) {
            init = path(v, "init", base).toString(); // a model directory
        }
        return new TrainConfig(init, path(v, "tokenizer", base), path(v, "vision_tower", base),
                path(v, "data", base), path(v, "image_dir", base), path(v, "eval_data", base), stage, lrs, trained,
                integer(v, "batch", 1), integer(v, "accumulation", 1), steps, integer(v, "warmup", 0),
                Long.parseLong(v.getOrDefault("seed", "0")), dbl(v, "weight_decay", 0.0),
                dbl(v, "max_grad_norm", 1.0), dbl(v, "beta1", 0.9), dbl(v, "beta2", 0.999), dbl(v, "adam_eps", 1e-8),
                integer(v, "pad_to", 0), integer(v, "pad_random_to", 0),
                new MaskedDiffusionLoss.BlockNoise(dbl(v, "block_noise", 0), integer(v, "block_noise_length", 32)),
                dbl(v, "pad_weight", 1),
                v.get("system_prompt"), path(v, "output", base),
                integer(v, "checkpoint_every", 0), integer(v, "log_every", 1), path(v, "resume", base));
    }

    private static Path path(Map<String, String> v, String key, Path base) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            return null;
        }
        Path p = Path.of(s);
        return base == null || p.isAbsolute() ? p : base.resolve(p);
    }

    private static int integer(Map<String, String> v, String key, int fallback) {
        try {
            return v.containsKey(key) ? Integer.parseInt(v.get(key)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got \"" + v.get(key) + "\"");
        }
    }

    private static double dbl(Map<String, String> v, String key, double fallback) {
        try {
            return v.containsKey(key) ? Double.parseDouble(v.get(key)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got \"" + v.get(key) + "\"");
        }
    }
}
