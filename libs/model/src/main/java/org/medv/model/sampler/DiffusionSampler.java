package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.medv.model.InvalidRequestException;
import org.medv.model.config.SpecialTokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LLaDA's reverse process (paper Algorithm 1 with semi-autoregressive blocks), as LLaDA-V / LLaDA-MedV's
 * {@code generate_with_embeds} computes it: the answer starts as {@code gen_length} masks after the prompt; each block
 * gets {@code steps / blocks} steps; each step predicts every masked position of the block from the whole
 * (bidirectional) sequence and commits the most confident predictions, the rest stay masked.
 *
 * <p>Differences from the reference that change no output: vocabulary logits are computed only where they can be
 * committed (masked positions of the current block, before a found stop), and a step never commits a candidate
 * whose confidence is not finite (the reference's {@code topk} would pick {@code -inf} entries in an
 * implementation-defined order).
 */
public final class DiffusionSampler {
    private final MaskPredictor model;
    private final SpecialTokens tokens;

    public DiffusionSampler(MaskPredictor model, SpecialTokens tokens) {
        this.model = model;
        this.tokens = tokens;
    }

    /** Generates from prompt embeddings [promptLen, hidden] (text and spliced image rows). */
    public GenerationResult generate(NDArray promptEmbeds, GenerationOptions o, StepListener listener) {
        int promptLen = Math.toIntExact(promptEmbeds.getShape().get(0));
        List<Integer> forbidden = o.forbiddenIds() != null ? o.forbiddenIds() : tokens.defaultForbidden();
        List<List<Integer>> stops = o.stopSequences() != null ? o.stopSequences() : tokens.defaultStops();
        validate(promptLen, o, forbidden, stops);
        int mask = tokens.mask();
        int[] gen = new int[o.genLength()];
        Arrays.fill(gen, mask);
        SplittableRandom rng = new SplittableRandom(o.seed());
        int stopPos = -1;
        int step = 0;
        FinishReason reason = FinishReason.LENGTH;
        int spb = o.stepsPerBlock();
        blocks:
        for (int b = 0; b < o.numBlocks(); b++) {
            int blockStart = b * o.blockLength();
            int blockEnd = blockStart + o.blockLength();
            if (stopPos >= 0 && stopPos <= blockStart) {
                break;
            }
            int[] schedule = transferSchedule(countMasks(gen, blockStart, blockEnd), spb);
            for (int i = 0; i < spb; i++) {
                if (stopPos >= 0 && countMasks(gen, 0, stopPos) == 0) {
                    break;
                }
                if (countMasks(gen, blockStart, blockEnd) == 0) {
                    break;
                }
                if (listener.cancelled()) {
                    reason = FinishReason.CANCELLED;
                    break blocks;
                }
                // candidates: masked positions of this block, and before a found stop sequence
                int limit = stopPos >= 0 ? Math.min(stopPos, blockEnd) : blockEnd;
                int[] candidates = maskedPositions(gen, blockStart, limit);
                Proposal p = propose(promptEmbeds, promptLen, gen, candidates, o, forbidden, rng);
                int[] chosen = commitTopK(p.confidence, schedule[i]);
                int[] committed = new int[chosen.length];
                double[] conf = new double[chosen.length];
                for (int c = 0; c < chosen.length; c++) {
                    committed[c] = candidates[chosen[c]];
                    conf[c] = p.confidence[chosen[c]];
                    gen[committed[c]] = p.tokens[chosen[c]];
                }
                if (!stops.isEmpty()) {
                    stopPos = findStop(gen, stops, stopPos);
                }
                listener.onStep(new StepEvent(step, o.steps(), b, i, gen.clone(), committed, conf, stopPos));
                step++;
            }
        }
        if (stopPos >= 0 && reason != FinishReason.CANCELLED) {
            reason = FinishReason.STOP;
        }
        int[] out = stopPos >= 0 ? Arrays.copyOf(gen, stopPos) : gen.clone();
        return new GenerationResult(out, gen, step, reason, stopPos);
    }

    private void validate(int promptLen, GenerationOptions o, List<Integer> forbidden, List<List<Integer>> stops) {
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

    /** The candidate tokens and their confidences at masked positions. */
    private record Proposal(int[] tokens, double[] confidence) {
    }

    private Proposal propose(NDArray prompt, int promptLen, int[] gen, int[] candidates, GenerationOptions o,
                             List<Integer> forbidden, SplittableRandom rng) {
        try (NDManager m = prompt.getManager().newSubManager()) {
            prompt.tempAttach(m); // everything derived from the prompt this step is freed with m
            NDArray logits = guidedLogits(m, prompt, promptLen, gen, candidates, o.cfgScale());
            // forbidden tokens at masked positions (every candidate is masked): -inf logits, set in place
            if (!forbidden.isEmpty()) {
                long[] cols = forbidden.stream().mapToLong(Integer::longValue).toArray();
                logits.set(new NDIndex(":, {}", m.create(cols)), Float.NEGATIVE_INFINITY);
            }
            int n = candidates.length;
            int[] x0 = new int[n];
            double[] conf = new double[n];
            if (o.temperature() == 0) {
                long[] argmax = logits.argMax(-1).toLongArray();
                for (int r = 0; r < n; r++) {
                    x0[r] = (int) argmax[r];
                }
                if (o.remasking() == Remasking.LOW_CONFIDENCE) {
                    // p(argmax) = max of softmax(logits.float64), as LLaDA-V computes it: in float32, logits one
                    // float step apart can tie and be committed in a different order
                    double[] p = logits.toType(DataType.FLOAT64, false).softmax(-1).max(new int[] {-1})
                            .toDoubleArray();
                    for (int r = 0; r < n; r++) {
                        conf[r] = p[r];
                    }
                }
            } else {
                gumbelArgmax(logits.toFloatArray(), n, o.temperature(), rng, x0, o.remasking() == Remasking.LOW_CONFIDENCE ? conf : null);
            }
            if (o.remasking() == Remasking.RANDOM) {
                for (int r = 0; r < n; r++) {
                    conf[r] = rng.nextDouble();
                }
            }
            return new Proposal(x0, conf);
        }
    }

    /**
     * Logits [n, vocab] at the candidate positions. With classifier-free guidance the prompt (text and image rows)
     * is replaced by mask embeddings for an unconditional pass, and {@code un + (cfg + 1)(cond - un)} is used.
     */
    private NDArray guidedLogits(NDManager m, NDArray prompt, int promptLen, int[] gen, int[] candidates, double cfg) {
        long[] ids = Arrays.stream(gen).asLongStream().toArray();
        NDArray genEmbeds = model.embed(m, ids);
        long[] positions = Arrays.stream(candidates).asLongStream().map(p -> p + promptLen).toArray();
        NDArray cond = prompt.concat(genEmbeds, 0).expandDims(0);
        if (cfg <= 0) {
            return model.logitsAt(cond, positions).squeeze(0);
        }
        long[] maskIds = new long[promptLen];
        Arrays.fill(maskIds, tokens.mask());
        NDArray uncond = model.embed(m, maskIds).concat(genEmbeds, 0).expandDims(0);
        NDArray both = model.logitsAt(NDArrays.concat(new NDList(cond, uncond), 0), positions);
        NDArray c = both.get("0");
        NDArray u = both.get("1");
        return u.add(c.sub(u).mul((float) (cfg + 1)));
    }

    /**
     * Gumbel-max sampling in float64 ({@code add_gumbel_noise}): argmax of {@code exp(l) / (-log u)^T} with u drawn
     * from the seeded generator; with low-confidence remasking the confidence is softmax(l) at the sampled token.
     */
    private static void gumbelArgmax(float[] logits, int n, double temperature, SplittableRandom rng, int[] x0,
                                     double[] conf) {
        int v = logits.length / n;
        for (int r = 0; r < n; r++) {
            int base = r * v;
            double best = Double.NEGATIVE_INFINITY;
            int arg = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                double l = logits[base + j];
                double score = Math.exp(l) / Math.pow(-Math.log(rng.nextDouble()), temperature);
                if (score > best) {
                    best = score;
                    arg = j;
                }
                max = Math.max(max, l);
            }
            x0[r] = arg;
            if (conf != null) {
                double sum = 0;
                for (int j = 0; j < v; j++) {
                    sum += Math.exp(logits[base + j] - max);
                }
                conf[r] = Math.exp(logits[base + arg] - max) / sum;
            }
        }
    }

    /**
     * The {@code k} most confident candidates ({@code torch.topk}), finite confidences only; ties go to the
     * earlier position. Returns indices into the candidate arrays.
     */
    static int[] commitTopK(double[] confidence, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < confidence.length; i++) {
            if (Double.isFinite(confidence[i])) {
                order.add(i);
            }
        }
        order.sort((a, b) -> {
            int c = Double.compare(confidence[b], confidence[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order.stream().limit(Math.max(0, k)).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Stop detection after every step, as the reference scans: stop sequences in order, each at its first
     * occurrence in the generated region; the stop position only moves earlier. Upstream quirk kept on purpose:
     * once any stop has been found, the scan ends after the first sequence, so later sequences are only looked at
     * while nothing has been found (this only matters with several stop sequences).
     */
    static int findStop(int[] gen, List<List<Integer>> stops, int stopPos) {
        boolean found = stopPos >= 0;
        for (List<Integer> seq : stops) {
            int at = firstOccurrence(gen, seq);
            if (at >= 0 && (!found || at < stopPos)) {
                stopPos = at;
                found = true;
            }
            if (found) {
                break;
            }
        }
        return stopPos;
    }

    private static int firstOccurrence(int[] gen, List<Integer> seq) {
        outer:
        for (int s = 0; s + seq.size() <= gen.length; s++) {
            for (int j = 0; j < seq.size(); j++) {
                if (gen[s + j] != seq.get(j)) {
                    continue outer;
                }
            }
            return s;
        }
        return -1;
    }

    private int countMasks(int[] gen, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            if (gen[i] == tokens.mask()) {
                c++;
            }
        }
        return c;
    }

    private int[] maskedPositions(int[] gen, int from, int to) {
        return java.util.stream.IntStream.range(from, to).filter(i -> gen[i] == tokens.mask()).toArray();
    }
}
