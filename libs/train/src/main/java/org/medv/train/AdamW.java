package org.medv.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.medv.model.safetensors.Checkpoint;
import org.medv.model.safetensors.SafetensorsWriter;
import org.medv.model.safetensors.TensorDType;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter) as {@code torch.optim.AdamW} computes it, on NDArrays, in place:
 * <pre>
 * p   = p (1 - lr wd)                                      decoupled weight decay
 * m   = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2       moments
 * p  -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)   bias-corrected step
 * </pre>
 * Only the parameters handed to the constructor are ever touched; each has its own learning rate and decay flag.
 */
public final class AdamW implements AutoCloseable {
    /** A trained parameter: its tensor, checkpoint name, base learning rate and whether it decays. */
    public record Param(NDArray value, String name, double lr, boolean decay) {
    }

    private final List<Param> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final List<NDArray> expAvg = new ArrayList<>();
    private final List<NDArray> expAvgSq = new ArrayList<>();
    private int step;

    public AdamW(List<Param> params, double beta1, double beta2, double eps, double weightDecay, NDManager parent) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        for (Param p : params) {
            expAvg.add(manager.zeros(p.value().getShape(), p.value().getDataType()));
            expAvgSq.add(manager.zeros(p.value().getShape(), p.value().getDataType()));
        }
    }

    public List<Param> params() {
        return params;
    }

    /** Optimizer steps taken so far (the {@code t} of the bias correction). */
    public int steps() {
        return step;
    }

    /**
     * One update with {@code grads} (aligned with {@link #params()}) and the schedule's multiplier of each base lr.
     */
    public void step(List<NDArray> grads, double lrMultiplier) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            double lr = p.lr() * lrMultiplier;
            NDArray value = p.value();
            NDArray m = expAvg.get(i);
            NDArray v = expAvgSq.get(i);
            NDArray g = grads.get(i);
            try (NDManager scope = manager.newSubManager()) {
                // temporaries of this update belong to scope (results follow the first operand's manager)
                value.tempAttach(scope);
                m.tempAttach(scope);
                v.tempAttach(scope);
                g.tempAttach(scope);
                if (p.decay() && weightDecay != 0) {
                    value.muli(1 - lr * weightDecay);
                }
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps);
                value.subi(m.div(denom).muli(lr / bc1));
            }
        }
    }

    /** Writes both moments (float32, {@code exp_avg.NAME} / {@code exp_avg_sq.NAME}) to a safetensors file. */
    public void save(Path file) {
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = 0; i < params.size(); i++) {
            add(w, "exp_avg." + params.get(i).name(), expAvg.get(i));
            add(w, "exp_avg_sq." + params.get(i).name(), expAvgSq.get(i));
        }
        w.write(file);
    }

    /** Restores the moments written by {@link #save} and the step count kept in trainer_state.json. */
    public void load(Path file, int steps) {
        try (Checkpoint ckpt = Checkpoint.open(file)) {
            for (int i = 0; i < params.size(); i++) {
                String name = params.get(i).name();
                long[] shape = params.get(i).value().getShape().getShape();
                restore(ckpt.load(manager, "exp_avg." + name, shape, null), expAvg.get(i));
                restore(ckpt.load(manager, "exp_avg_sq." + name, shape, null), expAvgSq.get(i));
            }
        }
        this.step = steps;
    }

    /** Copies a loaded tensor into a live one and frees the loaded one. */
    static void restore(NDArray loaded, NDArray into) {
        try (loaded) {
            loaded.copyTo(into);
        }
    }

    static void add(SafetensorsWriter w, String name, NDArray array) {
        w.add(name, TensorDType.F32, array.getShape().getShape(), buf -> {
            // float32 bits exactly as the engine holds them
            java.nio.ByteBuffer src = array.toByteBuffer().order(ByteOrder.nativeOrder());
            while (src.hasRemaining()) {
                buf.putFloat(src.getFloat());
            }
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
