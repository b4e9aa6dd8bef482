package org.medv.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code trainer_state.json}: what a checkpoint needs besides weights and optimizer moments to resume exactly. The
 * "rng state" is the seed and the step, because the noise of every micro-batch and the data order of every epoch are
 * functions of (seed, step, micro-batch) and (seed, epoch) ({@link Rng} says so in the file).
 *
 * @param evalAccuracy the vision stage's held-out accuracy per label; null when not evaluated
 */
public record TrainerState(
        int step,
        @SerializedName("optimizer_steps") int optimizerSteps,
        @SerializedName("total_steps") int totalSteps,
        long seed,
        int batch,
        int accumulation,
        String stage,
        Rng rng,
        List<Double> losses,
        @SerializedName("eval_accuracy") Map<String, Double> evalAccuracy) {
    public static final String FILE = "trainer_state.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** How the run's randomness is derived: documentation for a reader of the file. */
    public record Rng(String algorithm, String noise, @SerializedName("data_order") String dataOrder) {
        static final Rng SEEDED = new Rng("java.util.SplittableRandom", "seeded per (seed, step, micro-batch)",
                "seeded shuffle per (seed, epoch); position = step * batch * accumulation");
    }

    public TrainerState {
        if (losses == null || stage == null) {
            throw new IllegalArgumentException("a trainer state needs its stage and losses");
        }
        losses = List.copyOf(losses);
        evalAccuracy = evalAccuracy == null || evalAccuracy.isEmpty() ? null : Map.copyOf(evalAccuracy);
    }

    /** The state of a run of {@code config} after {@code step} steps. */
    static TrainerState of(TrainConfig config, int step, int optimizerSteps, List<Double> losses,
                           Map<String, Double> evalAccuracy) {
        return new TrainerState(step, optimizerSteps, config.steps(), config.seed(), config.batchSize(),
                config.accumulation(), stageName(config), Rng.SEEDED, losses, evalAccuracy);
    }

    /**
     * Refuses to resume {@code config} from this state when the run would not continue the same one: another stage,
     * seed, batch or accumulation (the data order and the noise depend on them).
     */
    void requireResumableBy(TrainConfig config, Path dir) {
        if (!stage.equals(stageName(config))) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": it is a checkpoint of stage " + stage
                    + ", the config says " + stageName(config) + " (to start a new stage from it, use it as init)");
        }
        requireSame(dir, "seed", seed, config.seed());
        requireSame(dir, "batch", batch, config.batchSize());
        requireSame(dir, "accumulation", accumulation, config.accumulation());
    }

    private static void requireSame(Path dir, String key, long saved, long now) {
        if (saved != now) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": it was trained with " + key + "="
                    + saved + ", the config says " + now);
        }
    }

    private static String stageName(TrainConfig config) {
        return config.stage().name().toLowerCase(Locale.ROOT);
    }

    void write(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            Files.writeString(f, GSON.toJson(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    /** Reads a checkpoint's state; a missing or unreadable file is an IllegalArgumentException naming it. */
    public static TrainerState read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            TrainerState s = GSON.fromJson(Files.readString(f), TrainerState.class);
            if (s == null) {
                throw new IllegalArgumentException("the file is empty");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": cannot read " + f + ": "
                    + e.getMessage(), e);
        }
    }
}
