package org.medv.model.safetensors;

import ai.djl.ndarray.types.DataType;

/** The safetensors dtype names medv reads, with their byte widths and DJL counterparts. */
public enum TensorDType {
    BF16(2, DataType.FLOAT32), // DJL's PyTorch engine aborts on BFLOAT16: always upcast in Java
    F16(2, DataType.FLOAT16),
    F32(4, DataType.FLOAT32),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType djl;

    TensorDType(int bytes, DataType djl) {
        this.bytes = bytes;
        this.djl = djl;
    }

    public int bytes() {
        return bytes;
    }

    /** The DJL type an array of this dtype is created with before any conversion (BF16 becomes FLOAT32). */
    public DataType djlType() {
        return djl;
    }

    public boolean isFloating() {
        return this == BF16 || this == F16 || this == F32 || this == F64;
    }

    static TensorDType parse(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
