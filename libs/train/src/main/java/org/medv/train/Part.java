package org.medv.train;

/** The three parameter groups LLaVA trains with separate switches and learning rates. */
public enum Part {
    /** The SigLIP tower ({@code mm_vision_tower_lr}). */
    VISION_TOWER,
    /** The multimodal projector and {@code image_newline} ({@code mm_projector_lr}). */
    PROJECTOR,
    /** The LLaDA mask predictor: embeddings, decoder blocks, final norm, LM head ({@code learning_rate}). */
    LANGUAGE_MODEL
}
