package org.medv.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.medv.data.SyntheticDataset.Item;
import org.medv.data.SyntheticDataset.Settings;
import org.medv.eval.AnswerType;

import java.util.List;
import java.util.Locale;

/**
 * The text files of the synthetic dataset: train.json, test.json, train_labels.json, test_labels.json, metadata.json
 * and README.md.
 */
final class DatasetFiles {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final String IMAGE_TOKEN = "<image>\n";
    /** The finding label of a quadrant without a lesion in the labels files. */
    static final String NO_FINDING = "none";
    private static final String LABELS_CONTENT =
            "per-image labels (modality, and the finding in each quadrant: none or size_contrast) for `medv train` "
                    + "stage = vision";
    static final String SIDE_CONVENTION = "left and right are the patient's sides (radiological convention): the "
            + "patient's left is the image's right half, x >= width / 2; upper and lower are halves of the image";

    private DatasetFiles() {
    }

    /**
     * LLaVA instruction format. Single-turn (the default, like LLaVA-Med's VQA training sets): one entry per question,
     * {@code <image>\n} before it, ids {@code <image stem>_q<k>}. Multi-turn: one entry per image with all its
     * questions as turns, the image token before the first only. Every other question (alternating, starting with
     * the first of even-numbered images) ends in {@link SyntheticDataset#ANSWER_SUFFIX}, the instruction LLaVA-Med's
     * evaluation appends, so a model trained on it answers both forms of a question.
     */
    static String trainJson(List<Item> items, boolean multiTurn, int reportCopies) {
        JsonArray root = new JsonArray();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            JsonArray turns = new JsonArray();
            for (int k = 0; k < item.questions().size(); k++) {
                Question q = item.questions().get(k);
                String text = (i + k) % 2 == 0 ? q.text() + SyntheticDataset.ANSWER_SUFFIX : q.text();
                turns.add(turn("human", (k == 0 || !multiTurn ? IMAGE_TOKEN : "") + text));
                turns.add(turn("gpt", q.answer()));
                if (!multiTurn) {
                    JsonObject e = entry(item.id() + "_q" + k, item, turns);
                    // the findings report written reportCopies times in a row: its share of the training samples
                    for (int c = 0; c < (q.kind().equals("open." + FindingsReport.KIND) ? reportCopies : 1); c++) {
                        root.add(c == 0 ? e : e.deepCopy());
                    }
                    turns = new JsonArray();
                }
            }
            if (multiTurn) {
                root.add(entry(item.id(), item, turns));
            }
        }
        return GSON.toJson(root) + "\n";
    }

    private static JsonObject entry(String id, Item item, JsonArray turns) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("image", item.scan().image());
        o.add("conversations", turns);
        return o;
    }

    /** LLaVA-Med test format (reference notes §6.3): one question per entry, ids {@code <image stem>_q<k>}. */
    static String testJson(List<Item> items) {
        JsonArray root = new JsonArray();
        for (Item item : items) {
            for (int k = 0; k < item.questions().size(); k++) {
                Question q = item.questions().get(k);
                JsonArray turns = new JsonArray();
                turns.add(turn("human", IMAGE_TOKEN + q.text()));
                turns.add(turn("gpt", q.answer()));
                JsonObject o = entry(item.id() + "_q" + k, item, turns);
                o.addProperty("answer_type", q.type().name());
                o.addProperty("question_kind", q.kind());
                root.add(o);
            }
        }
        return GSON.toJson(root) + "\n";
    }

    private static JsonObject turn(String from, String value) {
        JsonObject t = new JsonObject();
        t.addProperty("from", from);
        t.addProperty("value", value);
        return t;
    }

    /**
     * Per-image labels for vision pre-training, one entry per image in order: {@code {"image", "labels": {"modality",
     * "right_upper", "left_upper", "right_lower", "left_lower"}}}. The quadrant keys are {@code <patient side>_<level>}
     * (patient's right first, so the order is the image's reading order) and always all four are present; a value is
     * {@value #NO_FINDING} or the lesion's {@code <size>_<contrast>}, e.g. {@code small_bright}.
     */
    static String labelsJson(List<Item> items) {
        JsonArray root = new JsonArray();
        for (Item item : items) {
            Scan scan = item.scan();
            JsonObject labels = new JsonObject();
            labels.addProperty("modality", scan.modality().answer());
            for (Lesion.Level level : Lesion.Level.values()) {
                for (Side side : new Side[] {Side.RIGHT, Side.LEFT}) {
                    labels.addProperty(side.word() + "_" + level.word(), quadrantLabel(scan, side, level));
                }
            }
            JsonObject o = new JsonObject();
            o.addProperty("image", scan.image());
            o.add("labels", labels);
            root.add(o);
        }
        return GSON.toJson(root) + "\n";
    }

    /** {@value #NO_FINDING}, or {@code <size>_<contrast>} of the one lesion in that quadrant. */
    private static String quadrantLabel(Scan scan, Side side, Lesion.Level level) {
        List<Lesion> in = scan.lesions().stream().filter(l -> l.side() == side && l.level() == level).toList();
        if (in.size() > 1) {
            throw new IllegalStateException(scan.image() + " has " + in.size() + " lesions in the " + side.word() + " "
                    + level.word() + " quadrant; a label holds one");
        }
        return in.isEmpty() ? NO_FINDING : in.get(0).size().word() + "_" + in.get(0).contrast().word();
    }

    /** Settings, conventions and every scan's findings (pixel geometry included). */
    static String metadataJson(Settings s, List<Item> train, List<Item> test) {
        JsonObject root = new JsonObject();
        root.addProperty("generator", SyntheticDataset.GENERATOR);
        root.addProperty("seed", s.seed());
        root.addProperty("image_size", s.imageSize());
        if (s.reportCopies() != 1) {
            root.addProperty("report_copies", s.reportCopies());
        }
        root.addProperty("train_images", s.trainImages());
        root.addProperty("test_images", s.testImages());
        root.addProperty("lesions_per_image", "0.." + SyntheticScans.MAX_LESIONS
                + " uniform, at most one per image quadrant");
        JsonObject perImage = new JsonObject();
        perImage.addProperty("closed_yes", QuestionGenerator.CLOSED_YES);
        perImage.addProperty("closed_no", QuestionGenerator.CLOSED_NO);
        perImage.addProperty("open", QuestionGenerator.OPEN);
        perImage.addProperty("open_findings_report", QuestionGenerator.REPORT);
        root.add("questions_per_image", perImage);
        root.addProperty("side_convention", SIDE_CONVENTION);
        JsonArray modalities = new JsonArray();
        for (Modality m : Modality.values()) {
            modalities.add(m.answer());
        }
        root.add("modalities", modalities);
        JsonArray images = new JsonArray();
        for (List<Item> split : List.of(train, test)) {
            for (Item item : split) {
                images.add(scanJson(item));
            }
        }
        root.add("images", images);
        return GSON.toJson(root) + "\n";
    }

    private static JsonObject scanJson(Item item) {
        Scan scan = item.scan();
        JsonObject o = new JsonObject();
        o.addProperty("image", scan.image());
        o.addProperty("split", item.split().prefix());
        o.addProperty("modality", scan.modality().answer());
        JsonArray lesions = new JsonArray();
        for (Lesion l : scan.lesions()) {
            JsonObject j = new JsonObject();
            j.addProperty("side", l.side().word());
            j.addProperty("level", l.level().word());
            j.addProperty("size", l.size().word());
            j.addProperty("contrast", l.contrast().word());
            j.addProperty("x", round(l.x()));
            j.addProperty("y", round(l.y()));
            j.addProperty("radius", round(l.radius()));
            lesions.add(j);
        }
        o.add("lesions", lesions);
        return o;
    }

    /** Two decimals are plenty for pixel geometry and keep the file readable. */
    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String readme(Settings s, List<Item> train, List<Item> test) {
        int testQuestions = test.stream().mapToInt(i -> i.questions().size()).sum();
        long closed = test.stream().flatMap(i -> i.questions().stream())
                .filter(q -> q.type() == AnswerType.CLOSED).count();
        String trainRow = s.multiTurn()
                ? String.format(Locale.ROOT, "%d entries, one per image, %d question turns each", train.size(),
                        QuestionGenerator.PER_SCAN)
                : String.format(Locale.ROOT, "%d entries, one per question (%d images, %d questions each)%s",
                        train.size() * (QuestionGenerator.PER_SCAN + s.reportCopies() - 1), train.size(),
                        QuestionGenerator.PER_SCAN, s.reportCopies() == 1 ? ""
                                : ", the findings report written " + s.reportCopies() + " times");
        return String.format(Locale.ROOT, """
                # medv synthetic scans (%s)

                Written by `medv data synth --train %d --test %d --seed %d --size %d%s`. Synthetic scan-like
                images with known findings, for training and evaluating a small model offline; not medical data.

                | file | content |
                |---|---|
                | `images/` | %d-pixel square grayscale PNGs, `train_NNNNN.png` and `test_NNNNN.png` |
                | `train.json` | LLaVA instruction format: %s |
                | `test.json` | LLaVA-Med test format: %d entries (%d CLOSED, %d OPEN), one question per entry |
                | `train_labels.json` | %d entries: %s |
                | `test_labels.json` | %d entries: %s |
                | `metadata.json` | generator settings and every image's findings (side, level, size, contrast, pixels) |

                Looks: CT (round body, dark lungs), X-ray (bright soft tissue, tall dark lungs), MRI (skull ring,
                folded brain texture). Each image has 0 to %d lesions (bright or dark blobs, small or large), at most
                one per quadrant.

                Convention: %s.

                Questions per image: %d closed answered yes, %d closed answered no, %d open (side: left, right, both,
                none; count: a digit; modality: ct, x-ray, mri; size: small, large; level: upper, lower; contrast:
                bright, dark), and %d findings report (kind `open.findings`, e.g. "Describe the findings.", answered
                like "CT of the chest. One lesion: a small dark lesion in the left upper lung."). Every answer is
                computed from the findings in `metadata.json`.
                """, SyntheticDataset.GENERATOR, s.trainImages(), s.testImages(), s.seed(), s.imageSize(),
                (s.multiTurn() ? " --multi-turn" : "") + (s.reportCopies() == 1 ? ""
                        : " --report-copies " + s.reportCopies()), s.imageSize(), trainRow, testQuestions, closed,
                testQuestions - closed, train.size(), LABELS_CONTENT, test.size(), LABELS_CONTENT,
                SyntheticScans.MAX_LESIONS, SIDE_CONVENTION, QuestionGenerator.CLOSED_YES, QuestionGenerator.CLOSED_NO,
                QuestionGenerator.OPEN, QuestionGenerator.REPORT);
    }
}
