package org.medv.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Questions about a {@link Scan}, answered from its metadata, so every answer is right by construction.
 *
 * <p>Closed questions are answered {@code yes} or {@code no}; open ones with one short word that survives LLaVA-Med's
 * normalisation ({@code org.medv.eval.vqa.Normalizer}): counts are digits ("2"; a model answering "two" still
 * matches, because number words become digits), modalities are {@code ct}, {@code x-ray}, {@code mri}, sides
 * {@code left}, {@code right}, {@code both}, {@code none} (normalised to "0", on both sides of the comparison).
 * "Left" and "right" are always the patient's side ({@link Side}); "upper" and "lower" are halves of the image.
 *
 * <p>{@link #select} takes {@value #CLOSED_YES} yes, {@value #CLOSED_NO} no and {@value #OPEN} open questions per
 * scan, so yes and no are exactly balanced. That is always possible: the modality question gives one yes and two
 * no candidates, and "Is there a lesion ..." / "Is this scan normal?" give a second yes. Within each pool a question
 * is drawn with weight 1 / P(its answer | its kind) under {@link SyntheticScans#sample}'s distribution, so that a
 * kind whose answer is usually "yes" ("Is there a lesion in the image?": 3 scans in 4) is asked more often when the
 * answer is "no"; this keeps a blind model from scoring well on question priors alone.
 */
public final class QuestionGenerator {
    public static final int CLOSED_YES = 2;
    public static final int CLOSED_NO = 2;
    public static final int OPEN = 3;
    /** One long-answer question per scan: the findings report ({@link FindingsReport}). */
    public static final int REPORT = 1;
    public static final int PER_SCAN = CLOSED_YES + CLOSED_NO + OPEN + REPORT;

    private QuestionGenerator() {
    }

    /** Every closed question that applies to the scan. */
    public static List<Question> closedCandidates(Scan scan) {
        List<Question> out = new ArrayList<>();
        for (Modality m : Modality.values()) {
            out.add(Question.closed("modality", "Is this " + m.phrase() + "?", m == scan.modality()));
        }
        int count = scan.lesionCount();
        out.add(Question.closed("abnormal", "Is there a lesion in the image?", count > 0));
        out.add(Question.closed("normal", "Is this scan normal?", count == 0));
        for (Side side : Side.values()) {
            out.add(Question.closed("side", "Is there a lesion in the " + side.word() + " " + scan.modality().organ()
                    + "?", scan.hasLesionOn(side)));
        }
        out.add(Question.closed("multiple", "Is there more than one lesion?", count > 1));
        if (count == 1) {
            Lesion l = scan.lesions().get(0);
            out.add(Question.closed("size", "Is the lesion large?", l.size() == Lesion.Size.LARGE));
            out.add(Question.closed("level", "Is the lesion in the upper half of the image?",
                    l.level() == Lesion.Level.UPPER));
            out.add(Question.closed("contrast", "Is the lesion brighter than the surrounding tissue?",
                    l.contrast() == Lesion.Contrast.BRIGHT));
        }
        return out;
    }

    /** Every open question that applies: side, count and modality always; size, level, contrast for one lesion. */
    public static List<Question> openCandidates(Scan scan) {
        List<Question> out = new ArrayList<>();
        int count = scan.lesionCount();
        // one wording for every count: a singular form for 0-1 lesions would give the answer away
        out.add(Question.open("side", "Which side are the lesions on?", scan.sideAnswer()));
        out.add(Question.open("count", "How many lesions are there?", Integer.toString(count)));
        out.add(Question.open("modality", "Which modality is this?", scan.modality().answer()));
        if (count == 1) {
            Lesion l = scan.lesions().get(0);
            out.add(Question.open("size", "How large is the lesion?", l.size().word()));
            out.add(Question.open("level", "Is the lesion in the upper or lower half of the image?", l.level().word()));
            out.add(Question.open("contrast", "Is the lesion bright or dark?", l.contrast().word()));
        }
        return out;
    }

    /**
     * {@value #PER_SCAN} questions for one scan: {@value #CLOSED_YES} yes, {@value #CLOSED_NO} no and {@value #OPEN}
     * open ones, drawn without replacement, and the findings report, shuffled together.
     */
    public static List<Question> select(Scan scan, Random rng) {
        List<Question> yes = new ArrayList<>();
        List<Question> no = new ArrayList<>();
        for (Question q : closedCandidates(scan)) {
            (q.answer().equals(Question.YES) ? yes : no).add(q);
        }
        List<Question> out = new ArrayList<>(PER_SCAN);
        out.addAll(pick(yes, CLOSED_YES, rng));
        out.addAll(pick(no, CLOSED_NO, rng));
        out.addAll(pick(openCandidates(scan), OPEN, rng));
        out.add(FindingsReport.question(scan, rng));
        Collections.shuffle(out, rng);
        return out;
    }

    /** Weighted sampling without replacement (Efraimidis and Spirakis 2006: the n largest u^(1/w)). */
    private static List<Question> pick(List<Question> candidates, int n, Random rng) {
        if (candidates.size() < n) {
            throw new IllegalStateException("only " + candidates.size() + " candidates for " + n + " questions: "
                    + candidates);
        }
        List<Map.Entry<Double, Question>> keyed = new ArrayList<>(candidates.size());
        for (Question q : candidates) {
            keyed.add(Map.entry(StrictMath.pow(rng.nextDouble(), 1 / weight(q)), q));
        }
        keyed.sort(Map.Entry.<Double, Question>comparingByKey().reversed());
        List<Question> out = new ArrayList<>(n);
        for (Map.Entry<Double, Question> e : keyed.subList(0, n)) {
            out.add(e.getValue());
        }
        return out;
    }

    /**
     * 1 / P(answer | kind) for scans drawn by {@link SyntheticScans#sample}: 0..3 lesions uniform in distinct
     * quadrants, so P(any lesion) = 3/4, P(a lesion on a given side) = (1/4)(1/2 + 5/6 + 1) = 7/12, P(modality) = 1/3.
     */
    static double weight(Question q) {
        boolean yes = q.answer().equals(Question.YES);
        double pYes = switch (q.kind()) {
            case "closed.modality" -> 1.0 / 3;
            case "closed.abnormal" -> 3.0 / 4;
            case "closed.normal" -> 1.0 / 4;
            case "closed.side" -> 7.0 / 12;
            default -> 0.5;
        };
        return 1 / (yes ? pYes : 1 - pYes);
    }
}
