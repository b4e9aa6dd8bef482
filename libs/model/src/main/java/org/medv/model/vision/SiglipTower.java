package org.medv.model.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.medv.model.config.SiglipVisionConfig;
import org.medv.model.device.Scalars;

/**
 * SigLIP's vision transformer as LLaVA uses it ({@code siglip_encoder.py}): patch convolution, learned position
 * embeddings (no class token), pre-LN encoder layers with tanh-approximated GELU; the output is the hidden state
 * after the last kept layer, before {@code post_layernorm}.
 */
public final class SiglipTower implements AutoCloseable {
    private final SiglipVisionConfig config;
    private final SiglipWeights weights;

    public SiglipTower(SiglipVisionConfig config, SiglipWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    public SiglipVisionConfig config() {
        return config;
    }

    public SiglipWeights weights() {
        return weights;
    }

    /** Features [crops, patches, hidden] for pixel values [crops, channels, size, size]. */
    public NDArray forward(NDArray pixels) {
        NDArray x = embed(pixels);
        for (SiglipWeights.Layer layer : weights.layers()) {
            x = encoderLayer(x, layer);
        }
        return x;
    }

    /** The full tower output with post_layernorm applied (diagnostics; LLaVA never uses it). */
    public NDArray forwardWithPostNorm(NDArray pixels) {
        NDArray x = forward(pixels);
        return layerNorm(x, weights.postNormWeight(), weights.postNormBias());
    }

    /** Patch convolution (kernel = stride = patch, "valid") as an unfold + linear, plus learned positions. */
    private NDArray embed(NDArray pixels) {
        Shape s = pixels.getShape();
        long n = s.get(0);
        long ch = s.get(1);
        int p = config.patchSize();
        int side = config.patchesPerSide();
        // crop to side*p (a valid convolution ignores the remainder), then [n, c, side, p, side, p]
        NDArray cropped = pixels.get(":, :, :" + side * p + ", :" + side * p);
        NDArray patches = cropped.reshape(n, ch, side, p, side, p)
                // -> [n, side, side, c, p, p]: one row per patch in (c, kh, kw) order, matching the kernel layout
                .transpose(0, 2, 4, 1, 3, 5)
                .reshape(n, (long) side * side, ch * p * p);
        NDArray kernel = weights.patchWeight().reshape(config.hiddenSize(), ch * p * p);
        NDArray emb = linear(patches, kernel, weights.patchBias());
        return emb.add(weights.positions());
    }

    private NDArray encoderLayer(NDArray x, SiglipWeights.Layer l) {
        // pre-LN self-attention with residual
        NDArray h = x.add(attention(layerNorm(x, l.ln1W(), l.ln1B()), l));
        // pre-LN MLP with tanh GELU, residual
        NDArray mid = geluTanh(linear(layerNorm(h, l.ln2W(), l.ln2B()), l.fc1W(), l.fc1B()));
        return h.add(linear(mid, l.fc2W(), l.fc2B()));
    }

    private NDArray attention(NDArray x, SiglipWeights.Layer l) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = config.numAttentionHeads();
        int hd = config.headDim();
        // [b, t, hidden] -> [b, heads, t, hd]
        NDArray q = linear(x, l.qW(), l.qB()).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
        NDArray k = linear(x, l.kW(), l.kB()).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(x, l.vW(), l.vB()).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
        NDArray probs = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), Math.pow(hd, -0.5)).softmax(-1);
        NDArray out = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.hiddenSize());
        return linear(out, l.oW(), l.oB());
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.hiddenSize()), w, b, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    /** gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715f)), (float) Math.sqrt(2.0 / Math.PI));
        return Scalars.mul(x, 0.5f).mul(inner.tanh().add(1f));
    }

    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    @Override
    public void close() {
        weights.close();
    }
}
