package org.medv.data;

import java.util.List;

/**
 * One synthetic scan: everything needed to redraw it ({@link SyntheticScans#render(Scan)}) and to answer every
 * question about it ({@link QuestionGenerator}). {@code image} is the PNG file name under {@code images/}.
 */
public record Scan(String image, Modality modality, int size, long textureSeed, List<Lesion> lesions) {
    public Scan {
        if (size < 32) {
            throw new IllegalArgumentException("scan size must be at least 32 px, got " + size);
        }
        lesions = List.copyOf(lesions);
    }

    public int lesionCount() {
        return lesions.size();
    }

    /** Whether any lesion is on the patient's {@code side}. */
    public boolean hasLesionOn(Side side) {
        return lesions.stream().anyMatch(l -> l.side() == side);
    }

    /** The answer to "Which side are the lesions on?": {@code left}, {@code right}, {@code both} or {@code none}. */
    public String sideAnswer() {
        boolean left = hasLesionOn(Side.LEFT);
        boolean right = hasLesionOn(Side.RIGHT);
        if (left && right) {
            return "both";
        }
        if (left || right) {
            return left ? Side.LEFT.word() : Side.RIGHT.word();
        }
        return "none";
    }

    /** The same scan without findings (same anatomy and texture): a normal control. */
    public Scan withoutLesions() {
        return new Scan(image, modality, size, textureSeed, List.of());
    }
}
