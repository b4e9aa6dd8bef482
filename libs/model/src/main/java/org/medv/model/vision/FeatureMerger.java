package org.medv.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.medv.model.config.LlavaConfig;

/**
 * Turns one image's projected crop features into the rows spliced in place of its {@code -200} placeholder
 * ({@code prepare_inputs_labels_for_multimodal} of LLaVA-NeXT / LLaDA-V):
 * <ul>
 *   <li>{@code flat}: every crop's patches in order;</li>
 *   <li>{@code spatial*} with one crop: its patches, plus one {@code image_newline} row when {@code unpad};</li>
 *   <li>{@code spatial*} with a base view and a grid of tiles: the base patches, then the tiles arranged as one
 *   feature map, cropped back to the image's aspect ratio ({@code unpad_image}), shrunk by bilinear interpolation
 *   when {@code anyres_max_N} says it is more than 1.1x too large, with an {@code image_newline} column per row.</li>
 * </ul>
 */
public final class FeatureMerger {
    private final LlavaConfig config;
    private final NDArray imageNewline;
    private final int side;

    /**
     * @param imageNewline {@code model.image_newline} [hidden], or null when the merge type has no newline
     * @param side         patches per crop side (27 for SigLIP 384/14)
     */
    public FeatureMerger(LlavaConfig config, NDArray imageNewline, int side) {
        this.config = config;
        this.imageNewline = imageNewline;
        this.side = side;
    }

    /**
     * @param projected  [crops, side*side, hidden] projector output for one image
     * @param gridW      tiles across (anyres), ignored for a single crop
     * @param gridH      tiles down (anyres)
     * @param origWidth  the decoded image's width (before any padding or resizing)
     * @param origHeight the decoded image's height
     * @return [tokens, hidden]
     */
    public NDArray merge(NDArray projected, int gridW, int gridH, int origWidth, int origHeight) {
        long crops = projected.getShape().get(0);
        long d = projected.getShape().get(2);
        if (!config.spatial()) {
            return projected.reshape(-1, d);
        }
        if (crops == 1) {
            NDArray single = projected.get(0);
            return config.unpad() ? single.concat(imageNewline.reshape(1, d), 0) : single;
        }
        NDArray base = projected.get(0);
        // [nph, npw, side, side, d]
        NDArray grid = projected.get("1:").reshape(gridH, gridW, side, side, d);
        NDArray merged;
        if (config.unpad()) {
            // feature map [d, nph*side, npw*side]
            NDArray map = grid.transpose(4, 0, 2, 1, 3).reshape(d, (long) gridH * side, (long) gridW * side);
            map = unpad(map, origWidth, origHeight);
            int max = config.anyresMaxCrops();
            if (max > 0) {
                long h = map.getShape().get(1);
                long w = map.getShape().get(2);
                double times = Math.sqrt((double) h * w / ((double) max * side * side));
                if (times > 1.1) {
                    map = bilinear(map, (int) Math.floor(h / times), (int) Math.floor(w / times));
                }
            }
            long h = map.getShape().get(1);
            // append an image_newline column: [d, h, w+1], then rows in reading order [h*(w+1), d]
            NDArray newline = imageNewline.reshape(d, 1, 1).broadcast(d, h, 1);
            merged = map.concat(newline, 2).reshape(d, -1).transpose();
        } else {
            merged = grid.transpose(0, 2, 1, 3, 4).reshape(-1, d);
        }
        return config.mmPatchMergeType().contains("nobase") ? merged : base.concat(merged, 0);
    }

    /** {@code unpad_image}: drop the rows or columns that resize-and-pad added around the image. */
    static NDArray unpad(NDArray map, int origWidth, int origHeight) {
        long ch = map.getShape().get(1);
        long cw = map.getShape().get(2);
        double originalAspect = (double) origWidth / origHeight;
        double currentAspect = (double) cw / ch;
        if (originalAspect > currentAspect) {
            double scale = (double) cw / origWidth;
            long newH = (long) (origHeight * scale);
            long pad = (ch - newH) / 2;
            return map.get(":, " + pad + ":" + (ch - pad) + ", :");
        }
        double scale = (double) ch / origHeight;
        long newW = (long) (origWidth * scale);
        long pad = (cw - newW) / 2;
        return map.get(":, :, " + pad + ":" + (cw - pad));
    }

    /**
     * {@code F.interpolate(mode="bilinear", align_corners=False)} of a [c, h, w] map to [c, outH, outW], written as
     * two interpolation matrices so that it stays an NDArray expression (differentiable).
     */
    static NDArray bilinear(NDArray map, int outH, int outW) {
        NDManager m = map.getManager();
        int h = Math.toIntExact(map.getShape().get(1));
        int w = Math.toIntExact(map.getShape().get(2));
        NDArray rows = m.create(weights(h, outH)).reshape(outH, h).toType(map.getDataType(), false);
        NDArray cols = m.create(weights(w, outW)).reshape(outW, w).toType(map.getDataType(), false);
        // [c, h, w] x [w, outW] -> [c, h, outW]; then [outH, h] x [c, h, outW] -> [c, outH, outW]
        NDArray horizontal = map.matMul(cols.transpose());
        return rows.expandDims(0).matMul(horizontal);
    }

    /** Row-major [out, in] weights of PyTorch's linear interpolation (float math as its CPU kernel). */
    private static float[] weights(int in, int out) {
        float[] wts = new float[out * in];
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = scale * (o + 0.5f) - 0.5f;
            if (src < 0) {
                src = 0;
            }
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            float l1 = src - i0;
            float l0 = 1f - l1;
            wts[o * in + i0] += l0;
            wts[o * in + i1] += l1;
        }
        return wts;
    }
}
