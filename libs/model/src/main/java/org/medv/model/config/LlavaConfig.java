package org.medv.model.config;

import org.medv.model.ModelLoadException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The multimodal keys of a LLaVA-LLaDA {@code config.json}: projector type and size, vision tower name, image aspect
 * ratio ({@code pad}, {@code square}, {@code anyres}, {@code anyres_max_N}), patch merge type ({@code flat},
 * {@code spatial}, {@code spatial_unpad}) and anyres grid pinpoints.
 *
 * @param imageGridPinpoints explicit {@code [width, height]} resolutions, or null when given as a range string
 * @param imageGridRange     the range form {@code "(1x1),...,(6x6)"}, expanded with the crop size, or null
 */
public record LlavaConfig(
        int mmHiddenSize,
        String mmProjectorType,
        String mmVisionTower,
        String imageAspectRatio,
        String mmPatchMergeType,
        List<int[]> imageGridPinpoints,
        String imageGridRange,
        int tokenizerModelMaxLength) {

    private static final Pattern RANGE = Pattern.compile("\\((\\d{1,4})x(\\d{1,4})\\),\\.\\.\\.,\\((\\d{1,4})x(\\d{1,4})\\)");

    public LlavaConfig {
        if (!mmProjectorType.equals("mlp2x_gelu") && !mmProjectorType.equals("linear")) {
            throw new ModelLoadException("mm_projector_type " + mmProjectorType
                    + " is not supported (mlp2x_gelu or linear)");
        }
        if (!imageAspectRatio.equals("pad") && !imageAspectRatio.equals("square")
                && !imageAspectRatio.startsWith("anyres")) {
            throw new ModelLoadException("image_aspect_ratio " + imageAspectRatio
                    + " is not supported (pad, square, anyres, anyres_max_N)");
        }
        if (!mmPatchMergeType.equals("flat") && !mmPatchMergeType.startsWith("spatial")) {
            throw new ModelLoadException("mm_patch_merge_type " + mmPatchMergeType
                    + " is not supported (flat, spatial, spatial_unpad)");
        }
        if (imageAspectRatio.startsWith("anyres") && imageGridPinpoints == null && imageGridRange == null) {
            throw new ModelLoadException("image_aspect_ratio " + imageAspectRatio + " needs image_grid_pinpoints");
        }
    }

    public boolean anyres() {
        return imageAspectRatio.startsWith("anyres");
    }

    /** {@code anyres_max_4} caps the merged grid at 4 x 27 x 27 tokens (LLaVA-OneVision); plain anyres has no cap. */
    public int anyresMaxCrops() {
        if (imageAspectRatio.startsWith("anyres_max_")) {
            return Integer.parseInt(imageAspectRatio.substring("anyres_max_".length()));
        }
        return 0;
    }

    /** Whether merged features get an {@code image_newline} row (requires {@code model.image_newline}). */
    public boolean unpad() {
        return mmPatchMergeType.contains("unpad");
    }

    public boolean spatial() {
        return mmPatchMergeType.startsWith("spatial");
    }

    /** Candidate resolutions as {@code [width, height]}, expanding the range form with {@code cropSize}. */
    public List<int[]> pinpoints(int cropSize) {
        if (imageGridPinpoints != null) {
            return imageGridPinpoints;
        }
        Matcher m = RANGE.matcher(imageGridRange.replace(" ", ""));
        if (!m.matches()) {
            throw new ModelLoadException("image_grid_pinpoints \"" + imageGridRange + "\" is not a list or (AxB),...,(CxD)");
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        int c = Integer.parseInt(m.group(3));
        int d = Integer.parseInt(m.group(4));
        List<int[]> out = new ArrayList<>();
        for (int i = a; i <= c; i++) {
            for (int j = b; j <= d; j++) {
                out.add(new int[] {i * cropSize, j * cropSize});
            }
        }
        return out;
    }

    /** True when a config.json describes a multimodal (LLaVA) model. */
    static boolean isMultimodal(Json j) {
        return j.has("mm_projector_type") || j.has("mm_hidden_size") || j.has("mm_vision_tower");
    }

    static LlavaConfig from(Json j, int defaultVisionHidden) {
        List<int[]> pins = null;
        String range = null;
        var g = j.get("image_grid_pinpoints");
        if (g != null && g.isJsonArray()) {
            pins = new ArrayList<>();
            for (var e : g.getAsJsonArray()) {
                if (!e.isJsonArray() || e.getAsJsonArray().size() != 2) {
                    throw j.wrongType("image_grid_pinpoints", "a list of [width, height] pairs");
                }
                int w = j.asInt("image_grid_pinpoints", e.getAsJsonArray().get(0));
                int h = j.asInt("image_grid_pinpoints", e.getAsJsonArray().get(1));
                if (w < 1 || h < 1) {
                    throw j.wrongType("image_grid_pinpoints", "a list of positive [width, height] pairs");
                }
                pins.add(new int[] {w, h});
            }
            if (pins.isEmpty()) {
                throw j.wrongType("image_grid_pinpoints", "a non-empty list of [width, height] pairs");
            }
        } else if (g != null) {
            range = j.string("image_grid_pinpoints", null);
            Matcher m = RANGE.matcher(range.replace(" ", ""));
            if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(2)) < 1
                    || Integer.parseInt(m.group(3)) < Integer.parseInt(m.group(1))
                    || Integer.parseInt(m.group(4)) < Integer.parseInt(m.group(2))) {
                throw j.wrongType("image_grid_pinpoints", "a list of [width, height] pairs or a range "
                        + "\"(AxB),...,(CxD)\" with 1 <= A <= C and 1 <= B <= D");
            }
        }
        String aspect = j.string("image_aspect_ratio", "square");
        if (aspect.startsWith("anyres_max_") && !aspect.substring("anyres_max_".length()).matches("[1-9][0-9]{0,4}")) {
            throw j.wrongType("image_aspect_ratio", "pad, square, anyres or anyres_max_N with N at least 1");
        }
        return new LlavaConfig(
                j.size("mm_hidden_size", defaultVisionHidden),
                j.string("mm_projector_type", "mlp2x_gelu"),
                j.string("mm_vision_tower", ""),
                aspect,
                j.string("mm_patch_merge_type", "flat"),
                pins,
                range,
                j.size("tokenizer_model_max_length", 8192));
    }
}
