package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cache manager (dInfer's term; Fast-dLLM's block-wise approximate KV cache): decides what each step forwards.
 * Exact mode forwards the whole prompt and answer every step. With a cache, the first step of each block (and every
 * {@code refresh_every} steps) forwards everything and keeps the keys and values of the positions it will reuse:
 * for {@link CacheMode#PREFIX} the prompt and the blocks before the current one, which later steps attend to while
 * forwarding the current block and everything after it; for {@link CacheMode#DUAL} also the blocks after the current
 * one, so later steps forward the current block alone. One cache per sequence row (guidance's unconditional row
 * has its own).
 */
final class CacheManager implements AutoCloseable {
    private final CacheMode mode;
    private final int refreshEvery;
    private final int promptLength;
    private final int total;
    private final NDManager manager;
    private final KvCache[] context;
    private boolean refreshing;
    private int refreshedBlockStart;
    private int refreshedBlockEnd;

    CacheManager(CacheMode mode, int refreshEvery, int promptLength, int genLength, int rows, NDManager parent) {
        this.mode = mode;
        this.refreshEvery = refreshEvery;
        this.promptLength = promptLength;
        this.total = promptLength + genLength;
        this.manager = parent.newSubManager();
        this.context = new KvCache[rows];
    }

    /**
     * The sequences of this step, one per row. {@code prefixes} are the rows' prompt embeddings [promptLength,
     * hidden]; {@code genIds} the answer's current ids, embedded here; {@code candidates} the positions (in the
     * answer) whose logits are needed.
     */
    List<SequenceInput> plan(NDManager m, MaskPredictor model, NDArray[] prefixes, IterationManager it,
                             int[] candidates) {
        int[] gen = it.ids();
        refreshing = mode != CacheMode.NONE && (context[0] == null || it.stepInBlock() == 0
                || (refreshEvery > 0 && it.stepInBlock() % refreshEvery == 0));
        List<SequenceInput> out = new ArrayList<>();
        if (mode == CacheMode.NONE || refreshing) {
            NDArray genEmbeds = model.embed(m, longs(gen, 0, gen.length));
            long[] positions = range(0, total);
            long[] rows = Arrays.stream(candidates).asLongStream().map(p -> p + promptLength).toArray();
            for (NDArray prefix : prefixes) {
                NDArray embeds = prefix.concat(genEmbeds, 0);
                embeds.attach(m); // an op's result belongs to its first operand's manager: the request's
                out.add(new SequenceInput(embeds, positions, null, refreshing, rows));
            }
            refreshedBlockStart = it.blockStart();
            refreshedBlockEnd = it.blockEnd();
            return out;
        }
        int from = it.blockStart();
        int to = mode == CacheMode.PREFIX ? gen.length : it.blockEnd();
        NDArray embeds = model.embed(m, longs(gen, from, to));
        long[] positions = range(promptLength + from, promptLength + to);
        long[] rows = Arrays.stream(candidates).asLongStream().map(p -> p - from).toArray();
        for (KvCache c : context) {
            out.add(new SequenceInput(embeds, positions, c, false, rows));
        }
        return out;
    }

    /** After a refresh forward: keeps the keys and values the next steps of the block reuse. */
    void accept(List<SequenceOutput> outputs) {
        if (!refreshing) {
            return;
        }
        for (int r = 0; r < context.length; r++) {
            KvCache kv = outputs.get(r).kv();
            if (context[r] != null) {
                context[r].close();
            }
            long blockStart = promptLength + refreshedBlockStart;
            long blockEnd = promptLength + refreshedBlockEnd;
            context[r] = mode == CacheMode.PREFIX ? kv.select(manager, 0, blockStart, 0, 0)
                    : kv.select(manager, 0, blockStart, blockEnd, total);
            kv.close();
        }
    }

    private static long[] longs(int[] ids, int from, int to) {
        return Arrays.stream(ids, from, to).asLongStream().toArray();
    }

    private static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    @Override
    public void close() {
        manager.close();
    }
}
