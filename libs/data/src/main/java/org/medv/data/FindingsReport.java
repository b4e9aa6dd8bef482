package org.medv.data;

import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The long-answer question: "Describe the findings." (and a few wordings), answered with a templated report of about
 * 10 to 50 words: the modality and region, then each lesion's size, contrast, side, level and organ, in the image's
 * reading order (upper before lower, the patient's right, i.e. the image's left, first), or that there is none:
 * <pre>
 * CT of the chest. Two lesions: a large bright lesion in the left upper lung, a small dark lesion in the right lower lung.
 * MRI of the brain. No lesion is seen; the scan is normal.
 * </pre>
 * One wording per scan is drawn; the answer does not depend on it.
 */
public final class FindingsReport {
    /** The question kind, scored as an open question (and reported with exact match and token F1 on its own). */
    public static final String KIND = "findings";
    public static final List<String> WORDINGS = List.of("Describe the findings.", "Describe the findings in this image.",
            "What are the findings?", "Write a short report of this scan.");
    private static final String[] COUNTS = {"No", "One", "Two", "Three", "Four"};
    /** Reading order of the image: upper half first, then the image's left half (the patient's right) first. */
    private static final Comparator<Lesion> READING_ORDER = Comparator.comparing(Lesion::level)
            .thenComparing(l -> l.side() == Side.LEFT);

    private FindingsReport() {
    }

    /** One "describe" question about {@code scan}, its wording drawn from {@code rng}. */
    public static Question question(Scan scan, Random rng) {
        return Question.open(KIND, WORDINGS.get(rng.nextInt(WORDINGS.size())), of(scan));
    }

    /** The report of a scan's findings. */
    public static String of(Scan scan) {
        String head = switch (scan.modality()) {
            case CT -> "CT of the chest.";
            case XRAY -> "X-ray of the chest.";
            case MRI -> "MRI of the brain.";
        };
        int n = scan.lesionCount();
        if (n == 0) {
            return head + " No lesion is seen; the scan is normal.";
        }
        if (n >= COUNTS.length) {
            throw new IllegalArgumentException("a report names at most " + (COUNTS.length - 1) + " lesions, got " + n);
        }
        StringBuilder out = new StringBuilder(head).append(' ').append(COUNTS[n])
                .append(n == 1 ? " lesion: " : " lesions: ");
        List<Lesion> ordered = scan.lesions().stream().sorted(READING_ORDER).toList();
        for (int i = 0; i < ordered.size(); i++) {
            Lesion l = ordered.get(i);
            out.append(i == 0 ? "" : ", ").append("a ").append(l.size().word()).append(' ')
                    .append(l.contrast().word()).append(" lesion in the ").append(l.side().word()).append(' ')
                    .append(l.level().word()).append(' ').append(scan.modality().organ());
        }
        return out.append('.').toString();
    }
}
