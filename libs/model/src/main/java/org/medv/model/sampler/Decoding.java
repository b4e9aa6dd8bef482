package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.medv.model.config.SpecialTokens;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One request's generation, a step at a time: the iteration manager (blocks, schedule, stop), the cache manager
 * (what each step forwards) and the decoding policy (what it commits). The caller runs the forwards: alone
 * ({@link DiffusionSampler#generate}) or packed with other requests' ({@link BatchDecoder}), so requests can join and
 * leave between steps. Each step: {@link #plan} the sequences to forward, run them, {@link #accept} the outputs.
 */
public final class Decoding implements AutoCloseable {
    private final MaskPredictor model;
    private final GenerationOptions options;
    private final List<Integer> forbidden;
    private final StepListener listener;
    private final SplittableRandom rng;
    private final IterationManager iteration;
    private final CacheManager cache;
    private final NDManager manager;
    private final NDArray[] prefixes;
    private final int promptLength;
    private int[] candidates;
    private boolean cancelled;

    /**
     * @param promptEmbeds the prompt's embeddings [promptLength, hidden] (text and spliced image rows); kept, not
     *                     owned
     */
    public Decoding(MaskPredictor model, SpecialTokens tokens, NDArray promptEmbeds, GenerationOptions o,
                    StepListener listener) {
        this.model = model;
        this.options = o;
        this.listener = listener;
        this.promptLength = Math.toIntExact(promptEmbeds.getShape().get(0));
        this.forbidden = o.forbiddenIds() != null ? o.forbiddenIds() : tokens.defaultForbidden();
        List<List<Integer>> stops = o.stopSequences() != null ? o.stopSequences() : tokens.defaultStops();
        DiffusionSampler.validate(model, tokens, promptLength, o, forbidden, stops);
        this.rng = new SplittableRandom(o.seed());
        this.iteration = new IterationManager(o, tokens.mask(), stops);
        this.manager = promptEmbeds.getManager().newSubManager();
        if (o.cfgScale() > 0) {
            // classifier-free guidance: a second row whose prompt (text and image rows) is all mask embeddings
            long[] maskIds = new long[promptLength];
            Arrays.fill(maskIds, tokens.mask());
            prefixes = new NDArray[] {promptEmbeds, model.embed(manager, maskIds)};
        } else {
            prefixes = new NDArray[] {promptEmbeds};
        }
        this.cache = new CacheManager(o.cache(), o.refreshEvery(), promptLength, o.genLength(), prefixes.length,
                manager);
    }

    public GenerationOptions options() {
        return options;
    }

    /** True once the generation has ended (every step ran, a stop sequence ended it, or it was cancelled). */
    public boolean finished() {
        return cancelled || iteration.done();
    }

    /**
     * The sequences this request's next step forwards (one, two with guidance), attached to {@code m}; empty when
     * the generation has ended. The listener's cancellation is checked here, before every forward.
     */
    public List<SequenceInput> plan(NDManager m) {
        if (finished()) {
            return List.of();
        }
        if (listener.cancelled()) {
            cancelled = true;
            return List.of();
        }
        candidates = iteration.candidates();
        return cache.plan(m, model, prefixes, iteration, candidates);
    }

    /** Commits this step from the forward's outputs for the sequences {@link #plan} returned, and reports it. */
    public void accept(List<SequenceOutput> outputs) {
        cache.accept(outputs);
        NDArray logits = guided(outputs);
        // forbidden tokens at masked positions (every candidate is masked): -inf logits, set in place
        if (!forbidden.isEmpty()) {
            long[] cols = forbidden.stream().mapToLong(Integer::longValue).toArray();
            logits.set(new NDIndex(":, {}", logits.getManager().create(cols)), Float.NEGATIVE_INFINITY);
        }
        DecodingPolicy.Proposal p = DecodingPolicy.propose(logits, options, rng);
        int[] chosen = DecodingPolicy.commit(p.confidence(), iteration.scheduled(), options.threshold(),
                iteration.atLeast());
        int[] committed = new int[chosen.length];
        int[] tokens = new int[chosen.length];
        double[] conf = new double[chosen.length];
        for (int c = 0; c < chosen.length; c++) {
            committed[c] = candidates[chosen[c]];
            tokens[c] = p.tokens()[chosen[c]];
            conf[c] = p.confidence()[chosen[c]];
        }
        int block = iteration.block();
        int stepInBlock = iteration.stepInBlock();
        int step = iteration.step();
        iteration.commit(committed, tokens);
        listener.onStep(new StepEvent(step, options.steps(), block, stepInBlock, iteration.ids().clone(), committed,
                conf, iteration.stopPosition()));
    }

    /** Logits [candidates, vocab]; with guidance {@code un + (cfg + 1)(cond - un)}. */
    private NDArray guided(List<SequenceOutput> outputs) {
        NDArray cond = outputs.get(0).logits();
        if (outputs.size() == 1) {
            return cond;
        }
        NDArray un = outputs.get(1).logits();
        return un.add(cond.sub(un).mul((float) (options.cfgScale() + 1)));
    }

    /** Number of steps run so far. */
    public int steps() {
        return iteration.step();
    }

    public GenerationResult result() {
        int stopPos = iteration.stopPosition();
        FinishReason reason = cancelled ? FinishReason.CANCELLED
                : stopPos >= 0 ? FinishReason.STOP : FinishReason.LENGTH;
        int[] gen = iteration.ids();
        int[] out = stopPos >= 0 ? Arrays.copyOf(gen, stopPos) : gen.clone();
        return new GenerationResult(out, gen.clone(), iteration.step(), reason, stopPos);
    }

    /** Frees the request's caches and guidance prompt; the prompt embeddings stay with their owner. */
    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}
