package org.medv.train;

import java.util.EnumSet;
import java.util.Set;

/**
 * The LLaVA-style training stages as presets of which parts train (notes §5, LLaDA-V / LLaVA-Med scripts), plus
 * medv's vision stage. Learning rates default to the scripts' values: pretraining 1e-3 for the projector, SFT 1e-5
 * (vision tower 2e-6 when it is unfrozen with {@code train_vision}).
 */
public enum Stage {
    /**
     * Supervised vision pre-training (not in the paper): tower and projector learn to classify per-image labels
     * through a linear head on the image's embedding rows ({@link ImageLabelObjective}); the language model is not
     * used. For a tower trained from scratch on a small dataset, whose lesion features are otherwise too faint for
     * the language model to start reading (docs/benchmarks.md).
     */
    VISION(EnumSet.of(Part.VISION_TOWER, Part.PROJECTOR), 1e-3, 1e-3, 0),
    /** Alignment pretraining: projector only (LLaVA-Med stage 1, LLaDA-V pretrain). */
    STAGE1(EnumSet.of(Part.PROJECTOR), Stage.SFT_VISION_LR, 1e-3, 1e-3),
    /** Instruction tuning: language model and projector. */
    STAGE2(EnumSet.of(Part.LANGUAGE_MODEL, Part.PROJECTOR), Stage.SFT_VISION_LR, 1e-5, 1e-5),
    /** Downstream fine-tuning: as stage 2, on a task dataset (VQA-RAD, SLAKE, PathVQA). */
    STAGE3(EnumSet.of(Part.LANGUAGE_MODEL, Part.PROJECTOR), Stage.SFT_VISION_LR, 1e-5, 1e-5);

    /** The vision tower's learning rate when it is trained ({@code mm_vision_tower_lr} of LLaDA-V SFT). */
    public static final double SFT_VISION_LR = 2e-6;

    private final Set<Part> trained;
    private final double visionLr;
    private final double projectorLr;
    private final double languageLr;

    Stage(Set<Part> trained, double visionLr, double projectorLr, double languageLr) {
        this.trained = trained;
        this.visionLr = visionLr;
        this.projectorLr = projectorLr;
        this.languageLr = languageLr;
    }

    /** Whether this stage trains on labelled images instead of conversations. */
    public boolean usesImageLabels() {
        return this == VISION;
    }

    public Set<Part> trained() {
        return EnumSet.copyOf(trained);
    }

    public double defaultLr(Part part) {
        return switch (part) {
            case VISION_TOWER -> visionLr;
            case PROJECTOR -> projectorLr;
            case LANGUAGE_MODEL -> languageLr;
        };
    }

    /** {@code vision}, {@code stage1}, {@code 1}, {@code STAGE1} ... */
    public static Stage parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "1", "stage1", "pretrain" -> STAGE1;
            case "2", "stage2", "sft" -> STAGE2;
            case "3", "stage3", "finetune" -> STAGE3;
            case "vision" -> VISION;
            default -> throw new IllegalArgumentException("stage must be vision, stage1, stage2 or stage3, got \""
                    + text + "\"");
        };
    }
}
