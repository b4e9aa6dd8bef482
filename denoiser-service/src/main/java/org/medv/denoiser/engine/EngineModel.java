package org.medv.denoiser.engine;

import org.medv.model.LanguageSide;
import org.medv.model.LoadOptions;
import org.medv.model.TextSide;

/**
 * The parts of the model the engine holds: the text side to admit requests and decode answers, the language side
 * to run them. Images arrive already encoded, so there is no vision side.
 */
public record EngineModel(TextSide text, LanguageSide language) implements AutoCloseable {

    /** Loads the language model of {@code o.modelDir()}, then its config and tokenizer. */
    public static EngineModel load(LoadOptions o) {
        LanguageSide language = LanguageSide.load(o);
        try {
            return new EngineModel(TextSide.load(language.config()), language);
        } catch (RuntimeException e) {
            language.close();
            throw e;
        }
    }

    @Override
    public void close() {
        text.close();
        language.close();
    }
}
