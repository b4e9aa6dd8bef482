package org.medv.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.medv.model.device.Scalars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The training loop: the stage's {@link Objective} (masked-diffusion loss, or the vision stage's image labels),
 * gradient accumulation, global-norm clipping, AdamW with per-part learning rates on a warm-up + cosine schedule,
 * frozen parts untouched, checkpoints MedvModel loads ({@link TrainerState} beside them), bit-exact resume. Built by
 * {@link TrainerSetup}.
 *
 * <p>Randomness is a function of (seed, step): the noise of micro-batch {@code k} of step {@code s} comes from its own
 * SplittableRandom, and the data order of each epoch from a seeded shuffle. The "rng state" saved for resume is
 * therefore the seed and the step, and a resumed run draws exactly what the uninterrupted one would have.
 */
public final class Trainer implements AutoCloseable {
    /**
     * What one optimizer step did.
     *
     * @param targets    what the loss averaged: masked tokens (conversation stages) or image labels (vision stage)
     * @param etaSeconds the time the remaining steps take at this run's mean pace so far
     */
    public record StepReport(int step, int totalSteps, double loss, double lr, double gradNorm, int targets,
                             double samplesPerSecond, double etaSeconds) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "step %d/%d  loss %.4f  lr %.3e  grad_norm %.3f  targets %d  %.2f samples/s  eta %s", step,
                    totalSteps, loss, lr, gradNorm, targets, samplesPerSecond, duration(etaSeconds));
        }

        /** {@code 1h02m}, {@code 12m05s} or {@code 42s}. */
        static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                    : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
        }
    }

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = TrainerState.FILE;
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainConfig config;
    private final TrainableModel model;
    private final ModelInit init;
    private final Objective objective;
    private final AdamW optimizer;
    private final CosineSchedule schedule;
    private final List<NDArray> allParams;
    private final List<Double> losses = new ArrayList<>();
    private Map<String, Double> evaluation = Map.of();
    private Consumer<StepReport> listener;
    private int step;
    private volatile boolean stopRequested;
    private int permutationEpoch = -1;
    /** Steps done and seconds spent by this process: the pace the ETA extrapolates. */
    private int timedSteps;
    private double timedSeconds;
    private int[] permutation;

    Trainer(TrainConfig config, TrainableModel model, ModelInit init, Objective objective) {
        this.config = config;
        this.model = model;
        this.init = init;
        this.objective = objective;
        this.schedule = new CosineSchedule(config.warmupSteps(), config.steps());
        this.allParams = model.parameters();
        this.listener = r -> LOG.info("{}", r);
        List<AdamW.Param> trained = new ArrayList<>();
        for (Map.Entry<Part, NDList> group : model.parameterGroups().entrySet()) {
            if (!config.trainedParts().contains(group.getKey())) {
                continue;
            }
            for (NDArray p : group.getValue()) {
                p.setRequiresGradient(true);
                // as transformers' Trainer: biases and norm weights (1-D) do not decay
                trained.add(new AdamW.Param(p, p.getName(), config.lr(group.getKey()), p.getShape().dimension() > 1));
            }
        }
        for (NDArray p : objective.ownParameters()) {
            p.setRequiresGradient(true);
            // the vision stage's head learns at the projector's rate
            trained.add(new AdamW.Param(p, p.getName(), config.lr(Part.PROJECTOR), p.getShape().dimension() > 1));
        }
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("stage " + config.stage() + " trains " + config.trainedParts()
                    + " but model " + model.config().directory() + " has none of those parameters");
        }
        this.optimizer = new AdamW(trained, config.beta1(), config.beta2(), config.adamEps(), config.weightDecay(),
                model.manager());
    }

    /** A trainer on an already loaded model and encoded examples (the model is closed with the trainer). */
    public static Trainer create(TrainConfig config, TrainableModel model, List<TrainingExample> examples) {
        return TrainerSetup.create(config, model, examples);
    }

    /** Everything from the config: initial model, data, and resume from {@code config.resume()} when set. */
    public static Trainer create(TrainConfig config) {
        return TrainerSetup.create(config);
    }

    /** Continues from a directory written by {@link #checkpoint}: its weights, optimizer moments and step. */
    public static Trainer resume(Path dir, TrainConfig config) {
        return TrainerSetup.resume(dir, config);
    }

    /** Restores a checkpoint's step, optimizer moments, losses and objective parameters (TrainerSetup.resume). */
    void restore(Path dir, TrainerState state) {
        objective.load(dir);
        step = state.step();
        optimizer.load(dir.resolve(OPTIMIZER_FILE), state.optimizerSteps());
        losses.addAll(state.losses());
    }

    public void onStep(Consumer<StepReport> l) {
        this.listener = l;
    }

    public TrainableModel model() {
        return model;
    }

    /** Optimizer steps completed. */
    public int step() {
        return step;
    }

    /** The held-out scores computed at the end of {@link #train} (empty without held-out data). */
    public Map<String, Double> evaluation() {
        return evaluation;
    }

    /** The mean loss of every completed step. */
    public List<Double> losses() {
        return List.copyOf(losses);
    }

    /**
     * Trains up to {@code config.steps()}, checkpointing every {@code checkpoint_every} and at the end. After
     * {@link #requestStop} it stops once the current step is done, writes {@code checkpoint-STEP} (resumable) and
     * returns false.
     */
    public boolean train() {
        while (step < config.steps() && !stopRequested) {
            listener.accept(trainStep());
            if (config.output() != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0
                    && step < config.steps()) {
                checkpoint(stepCheckpoint());
            }
        }
        if (step < config.steps()) {
            if (config.output() != null) {
                checkpoint(stepCheckpoint());
            }
            return false;
        }
        evaluation = objective.evaluate();
        if (!evaluation.isEmpty()) {
            LOG.info("held-out evaluation: {}", evaluation);
        }
        if (config.output() != null) {
            checkpoint(config.output());
        }
        return true;
    }

    /** The checkpoint directory of the current step, {@code OUTPUT/checkpoint-STEP}: periodic or of a stopped run. */
    public Path stepCheckpoint() {
        return config.output().resolve("checkpoint-" + step);
    }

    /** Asks {@link #train} to stop after the current step (safe from any thread, e.g. a shutdown hook). */
    public void requestStop() {
        stopRequested = true;
    }

    /** One optimizer step over {@code accumulation} micro-batches. */
    public StepReport trainStep() {
        long t0 = System.nanoTime();
        double lossSum = 0;
        int targets = 0;
        List<AdamW.Param> trained = optimizer.params();
        double norm;
        double multiplier = schedule.multiplier(step);
        try (NDManager scope = model.manager().newSubManager()) {
            // every array derived from a parameter during this step is freed with scope
            allParams.forEach(p -> p.tempAttach(scope));
            objective.ownParameters().forEach(p -> p.tempAttach(scope));
            for (int micro = 0; micro < config.accumulation(); micro++) {
                SplittableRandom rng = noiseRng(config.seed(), step, micro);
                try (NDManager mm = scope.newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    int[] batch = new int[config.batchSize()];
                    for (int i = 0; i < batch.length; i++) {
                        batch[i] = nextExample(micro, i);
                    }
                    Objective.Batch r = objective.loss(mm, batch, rng);
                    if (r.hasGradient()) {
                        // accumulation averages micro-batches
                        gc.backward(Scalars.div(r.loss(), config.accumulation()));
                    }
                    lossSum += r.loss().getFloat();
                    targets += r.targets();
                }
            }
            List<NDArray> grads = new ArrayList<>(trained.size());
            for (AdamW.Param p : trained) {
                grads.add(p.value().getGradient());
            }
            norm = clip(grads);
            optimizer.step(grads, multiplier);
            for (NDArray g : grads) {
                g.muli(0); // zero the accumulated gradient for the next step
            }
        }
        step++;
        double mean = lossSum / config.accumulation();
        losses.add(mean);
        double seconds = (System.nanoTime() - t0) / 1e9;
        timedSteps++;
        timedSeconds += seconds;
        return new StepReport(step, config.steps(), mean,
                multiplier * config.lr(config.trainedParts().contains(Part.LANGUAGE_MODEL) ? Part.LANGUAGE_MODEL
                        : Part.PROJECTOR), norm, targets, config.samplesPerStep() / seconds,
                timedSeconds / timedSteps * Math.max(0, config.steps() - step));
    }

    /** Global-norm clipping ({@code torch.nn.utils.clip_grad_norm_}); returns the norm before clipping. */
    private double clip(List<NDArray> grads) {
        double sq = 0;
        for (NDArray g : grads) {
            try (NDArray s = g.square().sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("gradient norm is " + norm + " at step " + step);
        }
        double coef = config.maxGradNorm() / (norm + 1e-6);
        if (config.maxGradNorm() > 0 && coef < 1) {
            grads.forEach(g -> g.muli(coef));
        }
        return norm;
    }

    /** The index of the example at this step's position in the seeded per-epoch order. */
    private int nextExample(int micro, int i) {
        int n = objective.size();
        long k = (long) step * config.samplesPerStep() + (long) micro * config.batchSize() + i;
        int epoch = Math.toIntExact(k / n);
        if (epoch != permutationEpoch) {
            permutation = shuffle(n, new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + epoch));
            permutationEpoch = epoch;
        }
        return permutation[(int) (k % n)];
    }

    private static int[] shuffle(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The noise source of one micro-batch: a function of (seed, step, micro) only. */
    static SplittableRandom noiseRng(long seed, int step, int micro) {
        return new SplittableRandom(seed ^ (step + 1L) * 0xBF58476D1CE4E5B9L ^ (micro + 1L) * 0x94D049BB133111EBL);
    }

    /** Writes the model (MedvModel layout), the optimizer moments and trainer_state.json into {@code dir}. */
    public void checkpoint(Path dir) {
        CheckpointWriter.write(model, dir, TrainerSetup.systemPrompt(config, model));
        objective.save(dir);
        optimizer.save(dir.resolve(OPTIMIZER_FILE));
        TrainerState.of(config, step, optimizer.steps(), losses, evaluation).write(dir);
        LOG.info("checkpoint at step {} written to {}", step, dir);
    }

    @Override
    public void close() {
        objective.close();
        optimizer.close();
        model.close();
        if (init != null) {
            init.close();
        }
    }
}
