package org.medv.model.device;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a scalar that stays correct under autograd.
 *
 * <p>DJL's {@code x.mul(Number)}, {@code div(Number)}, {@code rdiv(Number)} and {@code pow(Number)} turn the number
 * into a tensor over a Java direct buffer and close that tensor right after the operation. Autograd keeps the tensor
 * for the backward pass ({@code d(x s)/dx = s}); once a GC has freed the buffer, backward reads freed memory and
 * yields garbage or NaN gradients (it broke training runs at random steps). These helpers create the scalar in
 * {@code x}'s manager, with the same type DJL would use, so it lives as long as the arrays computed from it.
 */
public final class Scalars {
    private Scalars() {
    }

    /** {@code x * s}. */
    public static NDArray mul(NDArray x, Number s) {
        return x.mul(of(x, s));
    }

    /** {@code x / s}. */
    public static NDArray div(NDArray x, Number s) {
        return x.div(of(x, s));
    }

    /** {@code s / x}. */
    public static NDArray rdiv(Number s, NDArray x) {
        return x.getNDArrayInternal().rdiv(of(x, s));
    }

    /** {@code x ^ s}. */
    public static NDArray pow(NDArray x, Number s) {
        return x.pow(of(x, s));
    }

    private static NDArray of(NDArray x, Number s) {
        return x.getManager().create(s);
    }
}
