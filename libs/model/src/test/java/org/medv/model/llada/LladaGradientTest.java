package org.medv.model.llada;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.medv.model.Golden;
import org.medv.model.config.ModelConfig;
import org.medv.model.safetensors.Checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The forward is built from differentiable NDArray operations: autograd agrees with finite differences. */
class LladaGradientTest {

    @Test
    void autogradMatchesFiniteDifferences() {
        ModelConfig cfg = ModelConfig.load(Golden.base().resolve("model"));
        try (NDManager m = NDManager.newBaseManager(); Checkpoint ckpt = Checkpoint.open(cfg.directory())) {
            LladaWeights w = LladaWeights.load(ckpt, cfg.llm(), m, DataType.FLOAT32);
            LladaModel model = new LladaModel(cfg.llm(), w, m);
            NDArray x = model.embed(m, new long[] {126080, 3840, 126336, 126336, 598}).expandDims(0);
            NDArray probe = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 5, cfg.llm().hiddenSize()));
            NDArray q = w.layers().get(0).q();
            q.setRequiresGradient(true);
            float analytic;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.logits(model.forward(x)).get(":, :, :50").sum()
                        .add(model.forward(x).mul(probe).sum());
                gc.backward(loss);
                analytic = q.getGradient().get(1, 2).getFloat();
            }
            float eps = 1e-2f;
            float base = q.get(1, 2).getFloat();
            q.set(new ai.djl.ndarray.index.NDIndex(1, 2), base + eps);
            float up = loss(model, x, probe);
            q.set(new ai.djl.ndarray.index.NDIndex(1, 2), base - eps);
            float down = loss(model, x, probe);
            float numeric = (up - down) / (2 * eps);
            assertNotEquals(0f, analytic);
            assertEquals(numeric, analytic, 2e-2 * Math.abs(numeric) + 1e-3);
        }
    }

    private static float loss(LladaModel model, NDArray x, NDArray probe) {
        NDArray h = model.forward(x);
        return model.logits(h).get(":, :, :50").sum().add(h.mul(probe).sum()).getFloat();
    }
}
