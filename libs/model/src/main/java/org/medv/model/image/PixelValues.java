package org.medv.model.image;

/**
 * The vision tower's input for one image: {@code crops} normalised crops, channels first, plus what the feature
 * merge needs later: the anyres grid (for the spatial layout) and the original size (for {@code unpad_image}).
 *
 * @param data        {@code [crops, 3, height, width]} float32
 * @param gridColumns anyres tiles across, or 0 when the image is a single crop ({@code pad} / {@code square})
 * @param gridRows    anyres tiles down, or 0 for a single crop
 * @param imageWidth  width of the decoded image before any padding or resizing
 * @param imageHeight height of the decoded image before any padding or resizing
 */
public record PixelValues(int crops, int height, int width, float[] data, int gridColumns, int gridRows,
                          int imageWidth, int imageHeight) {

    public PixelValues {
        if ((long) crops * 3 * height * width != data.length) {
            throw new IllegalArgumentException("pixel data has " + data.length + " values, expected [" + crops
                    + ", 3, " + height + ", " + width + "]");
        }
        if ((gridColumns == 0) != (gridRows == 0)
                || (gridColumns > 0 && crops != 1 + gridColumns * gridRows)
                || (gridColumns == 0 && crops != 1)) {
            throw new IllegalArgumentException("grid " + gridColumns + "x" + gridRows + " does not fit " + crops
                    + " crops (1 crop, or 1 base view + columns x rows tiles)");
        }
    }

    /** Whether this is an anyres tiling (base view followed by {@code gridColumns x gridRows} tiles). */
    public boolean anyres() {
        return gridColumns > 0;
    }

    /** {@code [crops, 3, height, width]}. */
    public long[] shape() {
        return new long[] {crops, 3, height, width};
    }
}
