package org.medv.data;

import org.medv.eval.AnswerType;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The synthetic VQA set medv makes itself, so that a small model can be trained and evaluated offline:
 * <pre>
 * DIR/images/train_00000.png ...  grayscale scans (SyntheticScans)
 * DIR/train.json                  LLaVA instruction format, one entry per question (or per image, all its
 *                                 questions as turns, with multiTurn)
 * DIR/test.json                   LLaVA-Med test format (reference notes §6.3), one question per entry
 * DIR/train_labels.json           per-image labels for vision pre-training: modality and, for each quadrant
 * DIR/test_labels.json            (right_upper, left_upper, right_lower, left_lower), none or size_contrast
 * DIR/metadata.json               generator settings and every scan's findings
 * DIR/README.md                   the same in prose
 * </pre>
 * Every image gets its own seed from (seed, split, index), so a split's images do not depend on the other split's
 * size, and the same arguments write the same bytes.
 */
public final class SyntheticDataset {
    public static final String GENERATOR = "medv-synthetic-scans-v4";
    /**
     * What {@code medv eval run} appends to each VQA question (libs/model {@code PromptBuilder.MEDV_ANSWER_SUFFIX});
     * every other training question carries it too.
     */
    public static final String ANSWER_SUFFIX = " Answer concisely in English.";

    /** The two splits; their names are the file-name prefixes. */
    public enum Split {
        TRAIN,
        TEST;

        public String prefix() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One image with its questions; {@code id} is the image's file stem, e.g. {@code test_00007}. */
    public record Item(String id, Split split, Scan scan, List<Question> questions) {
        public Item {
            questions = List.copyOf(questions);
        }
    }

    /** What {@link #write} wrote. */
    public record Summary(Path dir, int trainImages, int testImages, int trainQuestions, int testClosed,
                          int testOpen) {
        public int testQuestions() {
            return testClosed + testOpen;
        }
    }

    private SyntheticDataset() {
    }

    /** Images and questions of one split, in memory. */
    public static List<Item> generate(Split split, int images, long seed, int imageSize) {
        if (images < 0) {
            throw new IllegalArgumentException(split.prefix() + " images must be >= 0, got " + images);
        }
        SyntheticScans scans = new SyntheticScans(imageSize);
        List<Item> items = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            String id = String.format(Locale.ROOT, "%s_%05d", split.prefix(), i);
            Random rng = new Random(imageSeed(seed, split, i));
            Scan scan = scans.sample(id + ".png", rng);
            items.add(new Item(id, split, scan, QuestionGenerator.select(scan, rng)));
        }
        return items;
    }

    /** {@link #write(Path, int, int, long, int, boolean)}: {@link SyntheticScans#DEFAULT_SIZE} px, single-turn. */
    public static Summary write(Path dir, int trainImages, int testImages, long seed) {
        return write(dir, trainImages, testImages, seed, SyntheticScans.DEFAULT_SIZE, false);
    }

    /**
     * Writes both splits under {@code dir} (created if missing; files of the same names are overwritten); train.json
     * has one entry per question, or with {@code multiTurn} one conversation per image; train_labels.json and
     * test_labels.json have one entry per image.
     */
    public static Summary write(Path dir, int trainImages, int testImages, long seed, int imageSize,
                                boolean multiTurn) {
        return write(dir, trainImages, testImages, seed, imageSize, multiTurn, 1);
    }

    /**
     * As above, with each training image's findings report written {@code reportCopies} times in a row in
     * train.json (single-turn only): the reports' share of the training samples, the same images and test split.
     */
    public static Summary write(Path dir, int trainImages, int testImages, long seed, int imageSize,
                                boolean multiTurn, int reportCopies) {
        if (reportCopies < 1 || reportCopies > 1 && multiTurn) {
            throw new IllegalArgumentException("report copies must be >= 1, and 1 with multi-turn conversations, got "
                    + reportCopies + (multiTurn ? " with multi-turn" : ""));
        }
        if (trainImages + testImages <= 0) {
            throw new IllegalArgumentException("need at least one image, got train " + trainImages + " and test "
                    + testImages);
        }
        List<Item> train = generate(Split.TRAIN, trainImages, seed, imageSize);
        List<Item> test = generate(Split.TEST, testImages, seed, imageSize);
        SyntheticScans scans = new SyntheticScans(imageSize);
        try {
            Path images = Files.createDirectories(dir.resolve("images"));
            for (List<Item> split : List.of(train, test)) {
                for (Item item : split) {
                    Files.write(images.resolve(item.scan().image()), png(scans, item.scan()));
                }
            }
            Settings settings = new Settings(seed, imageSize, trainImages, testImages, multiTurn, reportCopies);
            writeText(dir.resolve("train.json"), DatasetFiles.trainJson(train, multiTurn, reportCopies));
            writeText(dir.resolve("test.json"), DatasetFiles.testJson(test));
            writeText(dir.resolve(Split.TRAIN.prefix() + "_labels.json"), DatasetFiles.labelsJson(train));
            writeText(dir.resolve(Split.TEST.prefix() + "_labels.json"), DatasetFiles.labelsJson(test));
            writeText(dir.resolve("metadata.json"), DatasetFiles.metadataJson(settings, train, test));
            writeText(dir.resolve("README.md"), DatasetFiles.readme(settings, train, test));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic dataset to " + dir + ": " + e.getMessage(), e);
        }
        int closed = 0;
        for (Item item : test) {
            closed += (int) item.questions().stream().filter(q -> q.type() == AnswerType.CLOSED).count();
        }
        return new Summary(dir, trainImages, testImages,
                trainImages * (QuestionGenerator.PER_SCAN + reportCopies - 1), closed,
                testImages * QuestionGenerator.PER_SCAN - closed);
    }

    /** The generator settings recorded in metadata.json and README.md. */
    record Settings(long seed, int imageSize, int trainImages, int testImages, boolean multiTurn, int reportCopies) {
    }

    static byte[] png(SyntheticScans scans, Scan scan) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(scans.render(scan), "png", bytes)) {
            throw new IOException("no PNG writer in this JVM");
        }
        return bytes.toByteArray();
    }

    private static void writeText(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** SplitMix64 of (seed, split, index): independent, well-mixed seeds for neighbouring images. */
    static long imageSeed(long seed, Split split, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * ((((long) split.ordinal()) << 32) + index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
