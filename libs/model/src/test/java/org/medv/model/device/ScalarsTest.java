package org.medv.model.device;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Gradients through scalar operations are right even when a GC runs between forward and backward and the freed
 * native memory is reused (DJL's own {@code mul(Number)} etc. read freed memory then).
 */
class ScalarsTest {

    @Test
    void gradientsSurviveAGarbageCollectionBeforeBackward() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, 4f});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // y = 3x + x/2 + 8/x + x^3
                NDArray y = Scalars.mul(x, 3f).add(Scalars.div(x, 2.0)).add(Scalars.rdiv(8f, x))
                        .add(Scalars.pow(x, 3));
                NDArray loss = y.sum();
                reuseFreedMemory();
                gc.backward(loss);
            }
            float[] g = x.getGradient().toFloatArray();
            float[] expected = new float[3];
            float[] xs = {1f, 2f, 4f};
            for (int i = 0; i < 3; i++) {
                expected[i] = 3f + 0.5f - 8f / (xs[i] * xs[i]) + 3 * xs[i] * xs[i];
            }
            assertArrayEquals(expected, g, 1e-4f);
        }
    }

    /** Frees unreachable direct buffers and fills new ones (likely the same native blocks) with non-numbers. */
    private static void reuseFreedMemory() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 256; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8);
                while (b.hasRemaining()) {
                    b.put((byte) 0xFF);
                }
            }
        }
    }
}
