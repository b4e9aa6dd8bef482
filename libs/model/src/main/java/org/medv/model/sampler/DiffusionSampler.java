package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.medv.model.InvalidRequestException;
import org.medv.model.config.SpecialTokens;

import java.util.List;

/**
 * LLaDA's reverse process (paper Algorithm 1 with semi-autoregressive blocks), as LLaDA-V / LLaDA-MedV's
 * {@code generate_with_embeds} computes it: the answer starts as {@code gen_length} masks after the prompt; each block
 * gets {@code steps / blocks} steps; each step predicts every masked position of the block from the whole
 * (bidirectional) sequence and commits the most confident predictions, the rest stay masked.
 *
 * <pre>
 * for each step:                                   {@link Decoding}
 *     sequences = cache manager: what to forward  {@link CacheManager}: whole sequence, or the block with cached K/V
 *     logits    = model(sequences)                 {@link MaskPredictor#forward}, at the candidate positions only
 *     x0, conf  = propose(logits)                  {@link DecodingPolicy#propose}: argmax / Gumbel, float64 softmax
 *     chosen    = commit(conf)                     {@link DecodingPolicy#commit}: top-k of the schedule, or threshold
 *     iteration manager: write, find stops, next   {@link IterationManager}
 * </pre>
 *
 * <p>Exact mode (no cache, threshold 0) computes what the reference does. Differences that change no output:
 * vocabulary logits are computed only where they can be committed (masked positions of the current block, before a
 * found stop), and a step never commits a candidate whose confidence is not finite (the reference's {@code topk}
 * would pick {@code -inf} entries in an implementation-defined order).
 */
public final class DiffusionSampler {
    private final MaskPredictor model;
    private final SpecialTokens tokens;

    public DiffusionSampler(MaskPredictor model, SpecialTokens tokens) {
        this.model = model;
        this.tokens = tokens;
    }

    /** Generates from prompt embeddings [promptLen, hidden] (text and spliced image rows), one request alone. */
    public GenerationResult generate(NDArray promptEmbeds, GenerationOptions o, StepListener listener) {
        try (Decoding d = new Decoding(model, tokens, promptEmbeds, o, listener)) {
            while (true) {
                try (NDManager m = promptEmbeds.getManager().newSubManager()) {
                    List<SequenceInput> plan = d.plan(m);
                    if (plan.isEmpty()) {
                        break;
                    }
                    d.accept(model.forward(m, plan));
                }
            }
            return d.result();
        }
    }

    static void validate(MaskPredictor model, SpecialTokens tokens, int promptLen, GenerationOptions o,
                         List<Integer> forbidden, List<List<Integer>> stops) {
        long total = (long) promptLen + o.genLength();
        if (total > model.maxPositions()) {
            throw new InvalidRequestException("gen_length", "prompt (" + promptLen + " positions) plus gen_length="
                    + o.genLength() + " is " + total + ", more than the model's " + model.maxPositions()
                    + " positions");
        }
        GenerationOptions.checkForbidden(forbidden, model.vocabSize());
        GenerationOptions.checkStops(stops, model.vocabSize(), tokens.mask());
    }

    /**
     * {@code get_num_transfer_tokens}: the block's masks spread evenly over its steps, the first
     * {@code masks % steps} steps taking one more (LLaDA's linear schedule, paper Eq. 8).
     */
    static int[] transferSchedule(int masks, int steps) {
        int[] k = new int[steps];
        for (int i = 0; i < steps; i++) {
            k[i] = masks / steps + (i < masks % steps ? 1 : 0);
        }
        return k;
    }
}
