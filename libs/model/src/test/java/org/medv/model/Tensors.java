package org.medv.model;

import ai.djl.ndarray.NDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on tensors against golden values. */
public final class Tensors {
    private Tensors() {
    }

    /** |a - e| <= rtol * |e| + atol, elementwise, with the worst offender in the message. */
    public static void assertClose(NDArray expected, NDArray actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(a[i] - e[i]) - (rtol * Math.abs(e[i]) + atol);
            if (err > worst || Double.isNaN(a[i])) {
                worst = Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : err;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": element " + at + " expected " + e[at] + " but was " + a[at] + " (rtol " + rtol + ", atol "
                    + atol + ")");
        }
    }
}
