package org.medv.cli;

import com.google.gson.JsonObject;
import org.medv.eval.report.Charts;
import org.medv.model.InvalidRequestException;
import org.medv.train.TrainConfig;
import org.medv.train.Trainer;
import org.medv.train.TrainingDataException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;

/**
 * {@code medv train --config FILE}: trains with the masked-diffusion objective and writes checkpoints that
 * {@code medv generate --model DIR} loads. The config (JSON or properties) is described in libs/train's README and
 * {@link TrainConfig}; {@code --steps}, {@code --output} and {@code --resume} override it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train or fine-tune a model: the masked-diffusion objective (stage1/stage2/stage3) or vision"
                + " pre-training on per-image labels (stage vision).")
final class TrainCommand implements Callable<Integer> {
    /** How long Ctrl-C waits for the current step and the checkpoint before the JVM exits anyway. */
    static final long STOP_WAIT_SECONDS = 300;
    /** The loss chart written beside the model. */
    static final String LOSS_CURVE = "loss.png";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "training config (.json or .properties)")
    Path config;

    @Option(names = "--steps", description = "override the number of optimizer steps")
    Integer steps;

    @Option(names = "--output", paramLabel = "DIR", description = "override the output directory")
    Path output;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue from a checkpoint directory")
    Path resume;

    @Mixin
    OutputFormat format = new OutputFormat();

    @Override
    public Integer call() {
        boolean json = format.json();
        PrintWriter out = format.log(spec); // the step lines; stderr when stdout holds the JSON summary
        TrainConfig cfg;
        try {
            cfg = TrainConfig.load(config);
            if (steps != null) {
                cfg = cfg.withSteps(steps);
            }
            if (output != null) {
                cfg = cfg.withOutput(output, cfg.checkpointEvery());
            }
            if (resume != null) {
                cfg = cfg.withResume(resume);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("config", e.getMessage());
        }
        if (cfg.output() == null) {
            throw new InvalidRequestException("config", "set \"output\" in " + config + " or pass --output DIR");
        }
        // Ctrl-C / SIGTERM: finish the current step and write a resumable checkpoint instead of exiting in the middle
        // of a native backward pass (the JVM crashed there); the hook waits until the trainer is closed
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Trainer> running = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            Trainer t = running.get();
            if (t != null) {
                t.requestStop();
            }
            try {
                closed.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "medv-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Trainer trainer = Trainer.create(cfg)) {
            running.set(trainer);
            if (stopping.get()) {
                trainer.requestStop(); // the signal came while the model was loading
            }
            out.printf("training %s from %s: stage %s, parts %s, %d steps of %d samples%n", cfg.data(),
                    cfg.resume() != null ? cfg.resume() : cfg.init(), cfg.stage(), cfg.trainedParts(), cfg.steps(),
                    cfg.samplesPerStep());
            int every = cfg.logEvery();
            trainer.onStep(r -> {
                if (r.step() % every == 0 || r.step() == r.totalSteps()) {
                    out.println(r);
                    out.flush();
                }
            });
            long start = System.nanoTime();
            boolean finished = trainer.train();
            double wallS = (System.nanoTime() - start) / 1e9;
            if (finished) {
                Path curve = cfg.output().resolve(LOSS_CURVE);
                Files.write(curve, Charts.lossPng(trainer.losses(), "Training loss: " + cfg.data().getFileName()
                        + ", " + cfg.stage().name().toLowerCase(Locale.ROOT) + ", batch " + cfg.samplesPerStep(),
                        cfg.stage().usesImageLabels() ? "Image-label cross-entropy (sum over labels)"
                                : "Masked-diffusion loss"));
                out.printf("model written to %s (loss curve %s) after %.0f s%n", cfg.output(), curve.getFileName(),
                        wallS);
                for (var e : trainer.evaluation().entrySet()) {
                    out.printf(Locale.ROOT, "held-out accuracy (%s): %-16s %.2f%%%n", cfg.evalData().getFileName(),
                            e.getKey(), 100 * e.getValue());
                }
            } else {
                // stopped (Ctrl-C): the JVM is shutting down, so no chart; trainer_state.json keeps the losses
                out.printf("stopped at step %d of %d: checkpoint %s (continue with --resume %s)%n", trainer.step(),
                        cfg.steps(), trainer.stepCheckpoint(), trainer.stepCheckpoint());
            }
            if (json) {
                OutputFormat.print(spec.commandLine().getOut(), summary(cfg, trainer, finished, wallS));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the loss curve to " + cfg.output(), e);
        } catch (TrainingDataException e) {
            throw new InvalidRequestException("data", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("config", e.getMessage());
        } finally {
            out.flush();
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the trainer is closed
            }
        }
        return 0;
    }

    /**
     * The JSON summary: stage, steps done and total_steps, final_loss (the last step's mean loss), wall_s, output
     * and loss_curve (finished) or checkpoint (stopped), eval_accuracy per label (held-out data only); the names
     * are trainer_state.json's.
     */
    private static JsonObject summary(TrainConfig cfg, Trainer trainer, boolean finished, double wallS) {
        JsonObject o = new JsonObject();
        o.addProperty("stage", cfg.stage().name().toLowerCase(Locale.ROOT));
        o.addProperty("steps", trainer.step());
        o.addProperty("total_steps", cfg.steps());
        List<Double> losses = trainer.losses();
        if (!losses.isEmpty()) {
            o.addProperty("final_loss", losses.get(losses.size() - 1));
        }
        o.addProperty("wall_s", wallS);
        o.addProperty("stopped", !finished);
        if (finished) {
            o.addProperty("output", cfg.output().toString());
            o.addProperty("loss_curve", cfg.output().resolve(LOSS_CURVE).toString());
        } else {
            o.addProperty("checkpoint", trainer.stepCheckpoint().toString());
        }
        if (!trainer.evaluation().isEmpty()) {
            JsonObject e = new JsonObject();
            trainer.evaluation().forEach(e::addProperty);
            o.add("eval_accuracy", e);
        }
        return o;
    }
}
