package org.medv.model.llada;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.model.Golden;
import org.medv.model.Tensors;
import org.medv.model.config.ModelConfig;
import org.medv.model.safetensors.Checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** One forward of the mask predictor over [prompt | 16 masks] against the reference's tensors. */
class LladaGoldenTest {
    private static NDManager manager;
    private static LladaModel model;
    private static Checkpoint expected;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        ModelConfig cfg = ModelConfig.load(Golden.base().resolve("model"));
        try (Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
            model = new LladaModel(cfg.llm(), LladaWeights.load(ckpt, cfg.llm(), manager, DataType.FLOAT32), manager);
        }
        expected = Checkpoint.open(Golden.base().resolve("expected.safetensors"));
    }

    @AfterAll
    static void close() {
        expected.close();
        manager.close();
    }

    @Test
    void forwardMatchesReference() {
        try (NDManager m = manager.newSubManager()) {
            NDArray prompt = expected.load(m, "prompt.inputs_embeds", DataType.FLOAT32);
            long[] mask = new long[16];
            java.util.Arrays.fill(mask, 126336);
            NDArray x = prompt.concat(model.embed(m, mask), 0).expandDims(0);
            NDArray hidden = model.forward(x);
            Tensors.assertClose(expected.load(m, "forward.final_hidden", DataType.FLOAT32), hidden.squeeze(0), 1e-4,
                    1e-5, "final_hidden");
            NDArray logits = model.logits(hidden).squeeze(0);
            Tensors.assertClose(expected.load(m, "forward.max_logit", DataType.FLOAT32), logits.max(new int[] {-1}),
                    1e-4, 1e-5, "max_logit");
            Tensors.assertClose(expected.load(m, "forward.logsumexp", DataType.FLOAT32),
                    logits.logSoftmax(-1).neg().add(logits).get(":, 0"), 1e-4, 1e-5, "logsumexp");
            assertArrayEquals(expected.load(m, "forward.argmax", DataType.INT64).toLongArray(),
                    logits.argMax(-1).toLongArray(), "argmax");
        }
    }

    @Test
    void logitsAtSelectedPositionsEqualFullLogits() {
        try (NDManager m = manager.newSubManager()) {
            NDArray prompt = expected.load(m, "prompt.inputs_embeds", DataType.FLOAT32).expandDims(0);
            NDArray full = model.logits(model.forward(prompt)).squeeze(0);
            NDArray some = model.logitsAt(prompt, new long[] {3, 40, 7}).squeeze(0);
            Tensors.assertClose(full.get("{}", m.create(new long[] {3, 40, 7})), some, 1e-5, 1e-6, "logitsAt");
        }
    }
}
