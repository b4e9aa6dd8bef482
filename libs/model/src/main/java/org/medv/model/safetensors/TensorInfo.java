package org.medv.model.safetensors;

import java.nio.file.Path;
import java.util.Arrays;

/** One tensor's header entry: name, dtype, shape and its byte range inside the data section of {@code file}. */
public record TensorInfo(String name, TensorDType dtype, long[] shape, long begin, long end, Path file) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
