package org.medv.train;

import org.medv.model.config.ModelConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * Building a {@link Trainer}: the initial model (a directory, {@code random:...} or {@code demo}), the stage's
 * {@link Objective} over the config's data, or a checkpoint to resume from after checking it continues the same run.
 */
final class TrainerSetup {
    private TrainerSetup() {
    }

    /** A trainer on an already loaded model and encoded examples (the model is closed with the trainer). */
    static Trainer create(TrainConfig config, TrainableModel model, List<TrainingExample> examples) {
        return new Trainer(config, model, null, diffusion(config, model, examples));
    }

    /** Everything from the config: initial model, data, and resume from {@code config.resume()} when set. */
    static Trainer create(TrainConfig config) {
        if (config.resume() != null) {
            return resume(config.resume(), config);
        }
        ModelInit init = ModelInit.resolve(config.init(), config.tokenizer());
        try {
            TrainableModel model = TrainableModel.load(init.directory(), config.visionTower(), List.of());
            return new Trainer(config, model, init, objective(config, model));
        } catch (RuntimeException e) {
            init.close();
            throw e;
        }
    }

    /** Continues from a checkpoint directory: its weights, optimizer moments, step and losses. */
    static Trainer resume(Path dir, TrainConfig config) {
        TrainerState state = TrainerState.read(dir);
        state.requireResumableBy(config, dir);
        TrainableModel model = TrainableModel.load(dir, null, List.of());
        Trainer t = new Trainer(config, model, null, objective(config, model));
        try {
            t.restore(dir, state);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** The stage's objective over the config's data: image labels for the vision stage, else conversations. */
    private static Objective objective(TrainConfig config, TrainableModel model) {
        try {
            if (config.stage().usesImageLabels()) {
                return new ImageLabelObjective(model, ImageLabels.read(config.data(), config.imageDir()),
                        config.evalData() == null ? null : ImageLabels.read(config.evalData(), config.imageDir()),
                        config.seed());
            }
            return diffusion(config, model, examples(config, model));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The masked-diffusion objective; without the language model only image samples carry a gradient. */
    private static Objective diffusion(TrainConfig config, TrainableModel model, List<TrainingExample> examples) {
        EosPadding padding = config.padRandomTo() > 0
                ? new EosPadding(config.padRandomTo(), model.config().tokens().eos()) : null;
        return new DiffusionObjective(model, examples, config.trainedParts().contains(Part.LANGUAGE_MODEL), padding,
                config.blockNoise(), config.padWeight());
    }

    private static List<TrainingExample> examples(TrainConfig config, TrainableModel model) {
        if (model.tokenizer() == null) {
            throw new IllegalArgumentException("model " + model.config().directory() + " has no tokenizer.json");
        }
        ConversationEncoder enc = new ConversationEncoder(model.tokenizer(), model.config().tokens(),
                systemPrompt(config, model), config.padTo());
        return enc.encodeAll(config.data(), LlavaInstruction.read(config.data()), config.imageDir());
    }

    /**
     * The system message the examples are encoded with and the checkpoints declare: the config's {@code
     * system_prompt} ({@code ""}: none), else the initial model's (see {@link ModelConfig#systemPrompt()}).
     */
    static String systemPrompt(TrainConfig config, TrainableModel model) {
        if (config.systemPrompt() == null) {
            return model.config().systemPrompt();
        }
        return config.systemPrompt().isEmpty() ? null : config.systemPrompt();
    }
}
