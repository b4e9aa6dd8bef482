package org.medv.vision;

import org.medv.proto.v1.DType;

import java.util.Locale;

/**
 * The service's own limits, validated once at startup (the model's limits travel in {@code LoadOptions}).
 *
 * @param maxImageBytes the largest image accepted, in encoded bytes
 * @param cacheEntries  embeddings kept by image digest; 0 turns the cache off
 * @param queueCapacity encodes that may wait for the single model thread
 * @param wireDtype     the dtype of {@code Embeddings.data}
 */
public record VisionSettings(int maxImageBytes, int cacheEntries, int queueCapacity, DType wireDtype) {
    public VisionSettings {
        if (maxImageBytes <= 0) {
            throw new IllegalArgumentException("medv.vision.max-image-bytes must be positive, got " + maxImageBytes);
        }
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("medv.vision.cache-entries must be >= 0, got " + cacheEntries);
        }
        if (queueCapacity <= 0) {
            throw new IllegalArgumentException("medv.vision.queue-capacity must be positive, got " + queueCapacity);
        }
        if (wireDtype != DType.DTYPE_FLOAT32 && wireDtype != DType.DTYPE_FLOAT16) {
            throw new IllegalArgumentException("wire dtype must be float32 or float16, got " + wireDtype);
        }
    }

    /** {@code f32} / {@code f16} (the spelling of medv.model.dtype) to the proto enum. */
    public static DType wireDtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.DTYPE_FLOAT32;
            case "f16", "float16" -> DType.DTYPE_FLOAT16;
            default -> throw new IllegalArgumentException("medv.vision.dtype must be f32 or f16, got " + name);
        };
    }
}
