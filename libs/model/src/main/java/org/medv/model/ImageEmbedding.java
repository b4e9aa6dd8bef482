package org.medv.model;

/**
 * One image's embedding rows as plain floats: what crosses the wire between the vision side (vision-service) and
 * the language side (the denoiser).
 */
public record ImageEmbedding(int rows, int cols, float[] data) {
    public ImageEmbedding {
        if ((long) rows * cols != data.length) {
            throw new InvalidRequestException("images", "image embedding holds " + data.length
                    + " values, not rows x cols = " + rows + " x " + cols);
        }
    }
}
