package org.medv.model.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.EngineTest;
import org.medv.model.Golden;
import org.medv.model.Tensors;
import org.medv.model.config.ModelConfig;
import org.medv.model.config.SpecialTokens;
import org.medv.model.llada.LladaModel;
import org.medv.model.llada.LladaWeights;
import org.medv.model.safetensors.Checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KV cache and batching on the golden tiny checkpoint: a cached forward computes what the whole forward does,
 * a cache refreshed every step decodes exactly as exact mode, cached steps forward only their block, and a request's
 * answer and every step are the same alone or packed with others joining and leaving.
 */
class CacheAndBatchTest extends EngineTest {
    private static LladaModel model;
    private static SpecialTokens tokens;
    private static NDArray image;
    private static NDArray text;

    @BeforeAll
    static void load() {
        ModelConfig cfg = ModelConfig.load(Golden.base().resolve("model"));
        try (Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
            model = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, DataType.FLOAT32), manager);
        }
        tokens = cfg.tokens();
        try (Checkpoint expected = Checkpoint.open(Golden.base().resolve("expected.safetensors"))) {
            image = expected.load(manager, "prompt.inputs_embeds", DataType.FLOAT32);
        }
        text = model.embed(manager, new long[] {126080, 27, 1012, 4599, 30, 2042, 301});
    }

    private static GenerationOptions opts(int gen, int block, int steps) {
        return new GenerationOptions(gen, block, steps, 0.0, 0L, 0.0, Remasking.LOW_CONFIDENCE, null, null);
    }

    @Test
    void aCachedForwardComputesWhatTheWholeForwardDoes() {
        try (NDManager m = manager.newSubManager()) {
            int p = (int) image.getShape().get(0);
            long[] ids = new long[24];
            Arrays.fill(ids, tokens.mask());
            ids[0] = 300;
            ids[1] = 301;
            NDArray seq = image.concat(model.embed(m, ids), 0);
            int total = p + ids.length;
            long[] all = range(0, total);
            long[] blockRows = range(p + 8, p + 16);
            SequenceOutput whole = model.forward(m, List.of(new SequenceInput(seq, all, null, true, blockRows)))
                    .get(0);
            assertEquals(total, whole.kv().length());
            // dual: the block alone, attending to the cached keys before and after it
            KvCache dual = whole.kv().select(m, 0, p + 8, p + 16, total);
            NDArray blockEmbeds = seq.get((p + 8) + ":" + (p + 16));
            NDArray viaDual = model.forward(m, List.of(new SequenceInput(blockEmbeds, blockRows, dual, false,
                    range(0, 8)))).get(0).logits();
            Tensors.assertClose(whole.logits(), viaDual, 1e-4, 1e-5, "dual-cached block logits");
            // prefix: the block and everything after it, attending to the cached prompt and earlier answer
            KvCache prefix = whole.kv().select(m, 0, p + 8, 0, 0);
            NDArray rest = seq.get((p + 8) + ":");
            NDArray viaPrefix = model.forward(m, List.of(new SequenceInput(rest, range(p + 8, total), prefix, false,
                    range(0, 8)))).get(0).logits();
            Tensors.assertClose(whole.logits(), viaPrefix, 1e-4, 1e-5, "prefix-cached block logits");
        }
    }

    @Test
    void aCacheRefreshedEveryStepDecodesAsExactMode() {
        for (GenerationOptions o : List.of(opts(32, 8, 16), opts(24, 24, 12), opts(16, 8, 16).withStops(List.of()))) {
            Trace exact = run(image, o);
            for (CacheMode mode : List.of(CacheMode.PREFIX, CacheMode.DUAL)) {
                Trace cached = run(image, o.withDecoding(mode, 0, 1));
                assertEquals(exact.states, cached.states, mode + " refreshed every step, " + o);
                assertArrayEquals(exact.result.outputIds(), cached.result.outputIds());
            }
        }
    }

    @Test
    void cachedStepsForwardOnlyWhatTheModeRecomputes() {
        int p = (int) image.getShape().get(0);
        // 2 blocks of 16, 8 steps each, no stop (every step runs)
        GenerationOptions o = opts(32, 16, 16).withStops(List.of());
        for (CacheMode mode : CacheMode.values()) {
            Counting counting = new Counting(model);
            GenerationResult r = new DiffusionSampler(counting, tokens).generate(image, o.withDecoding(mode, 0, 0),
                    StepListener.NONE);
            assertEquals(16, r.stepsRun());
            List<Integer> expected = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                for (int s = 0; s < 8; s++) {
                    expected.add(switch (mode) {
                        case NONE -> p + 32;
                        case PREFIX -> s == 0 ? p + 32 : 32 - 16 * b;
                        case DUAL -> s == 0 ? p + 32 : 16;
                    });
                }
            }
            assertEquals(expected, counting.lengths, mode.name());
        }
    }

    @Test
    void thresholdWithACacheFillsEveryPositionWithinTheSteps() {
        // the random tiny model is never confident: each step commits the minimum that keeps blocks within steps
        GenerationOptions o = opts(32, 16, 8).withStops(List.of()).withDecoding(CacheMode.DUAL, 0.9, 0);
        RecordingListener steps = new RecordingListener();
        GenerationResult fast = new DiffusionSampler(model, tokens).generate(image, o, steps);
        assertEquals(8, fast.stepsRun());
        assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4}, steps.committedCounts());
        assertTrue(Arrays.stream(fast.finalIds()).noneMatch(id -> id == tokens.mask()), "every position committed");
    }

    @Test
    void aRequestDecodesTheSameAloneOrPackedWithOthers() {
        // same shapes as jobs 0, 3 and 4 with other contents (and, joining later, at other steps and blocks): their
        // attention runs stacked with those jobs' in one batched operation
        NDArray otherImage = image.flip(0);
        NDArray otherText = model.embed(manager, new long[] {126080, 27, 1012, 2042, 30, 4599, 301});
        List<Job> jobs = List.of(
                new Job(image, opts(32, 8, 16), 0),
                new Job(text, opts(16, 16, 16).withForbidden(List.of()), 0),
                new Job(image, new GenerationOptions(16, 8, 8, 0.0, 0L, 0.5, Remasking.LOW_CONFIDENCE, null, null), 2),
                new Job(text, opts(24, 8, 24).withDecoding(CacheMode.DUAL, 0, 0), 3),
                new Job(image, opts(32, 16, 32).withDecoding(CacheMode.PREFIX, 0.4, 0), 5),
                new Job(otherImage, opts(32, 8, 16), 0),
                new Job(otherText, opts(24, 8, 24).withDecoding(CacheMode.DUAL, 0, 0), 3),
                new Job(otherText, opts(24, 8, 24).withDecoding(CacheMode.DUAL, 0, 0), 12),
                new Job(otherImage, opts(32, 16, 32).withDecoding(CacheMode.PREFIX, 0.4, 0), 5));
        List<Trace> alone = jobs.stream().map(j -> run(j.prompt, j.options)).toList();
        // packed: jobs join after their delay (in steps of the batch); each leaves when done
        List<Trace> packed = new ArrayList<>();
        List<Decoding> decodings = new ArrayList<>();
        for (Job j : jobs) {
            Trace t = new Trace();
            packed.add(t);
            decodings.add(new Decoding(model, tokens, j.prompt, j.options, t));
        }
        BatchDecoder batch = new BatchDecoder(model);
        int maxPack = 0;
        for (int tick = 0; decodings.stream().anyMatch(d -> !d.finished()); tick++) {
            List<Decoding> running = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                if (tick >= jobs.get(i).joinAt && !decodings.get(i).finished()) {
                    running.add(decodings.get(i));
                }
            }
            maxPack = Math.max(maxPack, batch.step(manager, running));
        }
        assertEquals(7, maxPack, "seven requests shared a forward at once (others had ended before the last joined)");
        for (int i = 0; i < jobs.size(); i++) {
            GenerationResult r = decodings.get(i).result();
            decodings.get(i).close();
            assertEquals(alone.get(i).states, packed.get(i).states, "job " + i + " step by step");
            assertArrayEquals(alone.get(i).result.outputIds(), r.outputIds(), "job " + i + " answer");
            assertEquals(alone.get(i).result.stepsRun(), r.stepsRun());
        }
        assertNotEquals(alone.get(0).states.size(), alone.get(1).states.size(), "the jobs differ in length");
        assertNotEquals(alone.get(0).states, alone.get(5).states, "same shape, other content, other answer");
        assertNotEquals(alone.get(3).states, alone.get(6).states, "same shape, other content, other answer");
    }

    private record Job(NDArray prompt, GenerationOptions options, int joinAt) {
    }

    /** Every step's ids as a list, for whole-trace comparison. */
    private static final class Trace implements StepListener {
        final List<List<Integer>> states = new ArrayList<>();
        GenerationResult result;

        @Override
        public void onStep(StepEvent e) {
            states.add(Arrays.stream(e.ids()).boxed().toList());
        }
    }

    private static Trace run(NDArray prompt, GenerationOptions o) {
        Trace t = new Trace();
        t.result = new DiffusionSampler(model, tokens).generate(prompt, o, t);
        return t;
    }

    /** Delegates to the real model and records each forwarded sequence's length. */
    private static final class Counting implements MaskPredictor {
        private final LladaModel inner;
        final List<Integer> lengths = new ArrayList<>();

        Counting(LladaModel inner) {
            this.inner = inner;
        }

        @Override
        public int vocabSize() {
            return inner.vocabSize();
        }

        @Override
        public int hiddenSize() {
            return inner.hiddenSize();
        }

        @Override
        public DataType dataType() {
            return inner.dataType();
        }

        @Override
        public NDArray embed(NDManager m, long[] ids) {
            return inner.embed(m, ids);
        }

        @Override
        public NDArray logitsAt(NDArray inputsEmbeds, long[] positions) {
            throw new AssertionError("the sampler forwards through forward()");
        }

        @Override
        public List<SequenceOutput> forward(NDManager out, List<SequenceInput> sequences) {
            sequences.forEach(s -> lengths.add(s.length()));
            return inner.forward(out, sequences);
        }
    }

    private static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from)];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
