package org.medv.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medv.model.safetensors.Checkpoint;

/**
 * LLaVA's multimodal projector. {@code mlp2x_gelu} is {@code Sequential(Linear(vision, llm), GELU(), Linear(llm,
 * llm))} with the exact erf GELU ({@code nn.GELU()}); {@code linear} is a single Linear. Tensors:
 * {@code model.mm_projector.0.*} and {@code model.mm_projector.2.*}.
 */
public record Projector(NDArray w0, NDArray b0, NDArray w2, NDArray b2) implements AutoCloseable {
    public static final String PREFIX = "model.mm_projector.";

    public static Projector load(Checkpoint ckpt, String type, int visionHidden, int llmHidden, NDManager m,
                                 DataType dtype) {
        NDArray w0 = ckpt.load(m, PREFIX + "0.weight", new long[] {llmHidden, visionHidden}, dtype);
        NDArray b0 = ckpt.load(m, PREFIX + "0.bias", new long[] {llmHidden}, dtype);
        if (type.equals("linear")) {
            return new Projector(w0, b0, null, null);
        }
        NDArray w2 = ckpt.load(m, PREFIX + "2.weight", new long[] {llmHidden, llmHidden}, dtype);
        NDArray b2 = ckpt.load(m, PREFIX + "2.bias", new long[] {llmHidden}, dtype);
        return new Projector(w0, b0, w2, b2);
    }

    /** [..., vision hidden] -> [..., llm hidden]. */
    public NDArray forward(NDArray features) {
        NDArray h = SiglipTower.linear(features, w0, b0);
        if (w2 == null) {
            return h;
        }
        return SiglipTower.linear(h.getNDArrayInternal().gelu(), w2, b2);
    }

    public NDList parameters() {
        return w2 == null ? new NDList(w0, b0) : new NDList(w0, b0, w2, b2);
    }

    @Override
    public void close() {
        parameters().close();
    }
}
