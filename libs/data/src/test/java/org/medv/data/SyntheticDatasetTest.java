package org.medv.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.eval.AnswerType;
import org.medv.eval.VqaItem;
import org.medv.eval.io.VqaTestReader;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticDatasetTest {
    private static final int TRAIN = 40;
    private static final int TEST = 30;
    private static final long SEED = 42;

    @TempDir
    static Path tmp;
    static Path dir;
    static SyntheticDataset.Summary summary;

    @BeforeAll
    static void writeOnce() {
        dir = tmp.resolve("a");
        summary = SyntheticDataset.write(dir, TRAIN, TEST, SEED);
    }

    @Test
    void sameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        Path again = tmp.resolve("b");
        SyntheticDataset.write(again, TRAIN, TEST, SEED);
        List<Path> files = files(dir);
        assertEquals(files, files(again));
        assertEquals(TRAIN + TEST + 6, files.size());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(f)), Files.readAllBytes(again.resolve(f)), f.toString());
        }
        Path other = tmp.resolve("c");
        SyntheticDataset.write(other, TRAIN, TEST, SEED + 1);
        assertFalse(Files.readString(dir.resolve("test.json")).equals(Files.readString(other.resolve("test.json"))));
    }

    @Test
    void reportCopiesRepeatEachTrainingReportInARowAndLeaveTheRestAlone() throws IOException {
        Path copies = tmp.resolve("copies");
        SyntheticDataset.Summary s = SyntheticDataset.write(copies, TRAIN, TEST, SEED, SyntheticScans.DEFAULT_SIZE,
                false, 3);
        JsonArray plain = json("train.json").getAsJsonArray();
        JsonArray weighted = com.google.gson.JsonParser.parseString(Files.readString(copies.resolve("train.json")))
                .getAsJsonArray();
        assertEquals(TRAIN * (QuestionGenerator.PER_SCAN + 2), weighted.size());
        assertEquals(weighted.size(), s.trainQuestions());
        int w = 0;
        for (int i = 0; i < plain.size(); i++) {
            var e = plain.get(i).getAsJsonObject();
            boolean report = e.getAsJsonArray("conversations").get(1).getAsJsonObject().get("value").getAsString()
                    .matches("(CT|X-ray|MRI) of the .*");
            for (int c = 0; c < (report ? 3 : 1); c++) {
                assertEquals(e, weighted.get(w++), "entry " + i + ", copy " + c);
            }
        }
        assertEquals(weighted.size(), w);
        assertEquals(Files.readString(dir.resolve("test.json")), Files.readString(copies.resolve("test.json")));
        assertThrows(IllegalArgumentException.class, () -> SyntheticDataset.write(tmp.resolve("x"), TRAIN, TEST, SEED,
                SyntheticScans.DEFAULT_SIZE, true, 2));
    }

    @Test
    void countsPerSplit() throws IOException {
        JsonArray train = json("train.json").getAsJsonArray();
        List<VqaItem> test = VqaTestReader.read(dir.resolve("test.json"));
        assertEquals(TRAIN * QuestionGenerator.PER_SCAN, train.size());
        assertEquals(TEST * QuestionGenerator.PER_SCAN, test.size());
        assertEquals(new SyntheticDataset.Summary(dir, TRAIN, TEST, TRAIN * QuestionGenerator.PER_SCAN,
                TEST * (QuestionGenerator.CLOSED_YES + QuestionGenerator.CLOSED_NO),
                TEST * (QuestionGenerator.OPEN + QuestionGenerator.REPORT)),
                summary);
        try (Stream<Path> images = Files.list(dir.resolve("images"))) {
            assertEquals(TRAIN + TEST, images.count());
        }
        assertEquals(TRAIN + TEST, json("metadata.json").getAsJsonObject().getAsJsonArray("images").size());
    }

    @Test
    void testJsonIsReadableWithBothAnswerTypesAndExistingImages() {
        List<VqaItem> items = VqaTestReader.read(dir.resolve("test.json"));
        assertTrue(items.stream().anyMatch(i -> i.answerType() == AnswerType.CLOSED));
        assertTrue(items.stream().anyMatch(i -> i.answerType() == AnswerType.OPEN));
        for (VqaItem i : items) {
            assertTrue(Files.isRegularFile(dir.resolve("images").resolve(i.image())), i.image());
            assertFalse(i.question().contains("<image>"), i.question());
            assertEquals(i.answerType() == AnswerType.CLOSED, Set.of("yes", "no").contains(i.answer()), i.id());
        }
    }

    @Test
    void trainJsonHasOneEntryPerQuestionWithTheImageToken() {
        JsonArray entries = json("train.json").getAsJsonArray();
        assertEquals(TRAIN * QuestionGenerator.PER_SCAN, entries.size());
        int suffixed = 0;
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            assertTrue(o.get("id").getAsString().matches("train_\\d{5}_q\\d"), o.get("id").getAsString());
            assertTrue(Files.isRegularFile(dir.resolve("images").resolve(o.get("image").getAsString())));
            JsonArray turns = o.getAsJsonArray("conversations");
            assertEquals(2, turns.size());
            assertEquals("human", turns.get(0).getAsJsonObject().get("from").getAsString());
            assertEquals("gpt", turns.get(1).getAsJsonObject().get("from").getAsString());
            String question = turns.get(0).getAsJsonObject().get("value").getAsString();
            assertTrue(question.startsWith("<image>\n"), question);
            suffixed += question.endsWith(SyntheticDataset.ANSWER_SUFFIX) ? 1 : 0;
        }
        // every other question carries the evaluation suffix
        assertEquals(entries.size() / 2.0, suffixed, 1.0);
    }

    @Test
    void multiTurnTrainJsonHasAlternatingTurnsWithOneImageToken(@TempDir Path multi) throws IOException {
        SyntheticDataset.write(multi, TRAIN, 0, SEED, SyntheticScans.DEFAULT_SIZE, true);
        JsonArray entries = JsonParser.parseString(Files.readString(multi.resolve("train.json"))).getAsJsonArray();
        assertEquals(TRAIN, entries.size());
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            assertTrue(o.get("id").getAsString().startsWith("train_"));
            JsonArray turns = o.getAsJsonArray("conversations");
            assertEquals(2 * QuestionGenerator.PER_SCAN, turns.size());
            for (int t = 0; t < turns.size(); t++) {
                JsonObject turn = turns.get(t).getAsJsonObject();
                assertEquals(t % 2 == 0 ? "human" : "gpt", turn.get("from").getAsString());
                String value = turn.get("value").getAsString();
                assertEquals(t == 0, value.startsWith("<image>\n"), value);
                assertEquals(t == 0, value.contains("<image>"), value);
            }
        }
        assertEquals("[]\n", Files.readString(multi.resolve("test_labels.json")), "no test images, no labels");
        assertTrue(Files.readString(multi.resolve("README.md")).contains(
                "| `train.json` | LLaVA instruction format: " + TRAIN + " entries, one per image, "
                        + QuestionGenerator.PER_SCAN + " question turns each |"));
    }

    @Test
    void labelsFilesHaveOneEntryPerImageInOrderAgreeingWithTheMetadataAndTheScans() throws IOException {
        JsonObject meta = json("metadata.json").getAsJsonObject();
        int size = meta.get("image_size").getAsInt();
        JsonArray images = meta.getAsJsonArray("images");
        List<String> quadrants = List.of("right_upper", "left_upper", "right_lower", "left_lower");
        Set<String> values = new HashSet<>();
        for (SyntheticDataset.Split split : SyntheticDataset.Split.values()) {
            String name = split.prefix() + "_labels.json";
            String text = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
            assertTrue(text.startsWith("[\n") && text.endsWith("]\n"), name + " is pretty-printed with a newline");
            JsonArray entries = JsonParser.parseString(text).getAsJsonArray();
            int n = split == SyntheticDataset.Split.TRAIN ? TRAIN : TEST;
            List<SyntheticDataset.Item> items = SyntheticDataset.generate(split, n, SEED, size);
            assertEquals(n, entries.size(), name);
            for (int i = 0; i < n; i++) {
                JsonObject entry = entries.get(i).getAsJsonObject();
                String image = String.format(Locale.ROOT, "%s_%05d.png", split.prefix(), i);
                assertEquals(image, entry.get("image").getAsString(), name + " entry " + i);
                Scan scan = items.get(i).scan();
                assertEquals(image, scan.image());
                JsonObject labels = entry.getAsJsonObject("labels");
                List<String> keys = new ArrayList<>(labels.keySet());
                assertEquals("modality", keys.get(0), image);
                assertEquals(quadrants, keys.subList(1, keys.size()), image);

                JsonObject found = AnswerOracle.byImage(images, image);
                assertEquals(found.get("modality").getAsString(), labels.get("modality").getAsString(), image);
                assertEquals(scan.modality().answer(), labels.get("modality").getAsString(), image);
                // expected quadrant labels from the metadata's pixel geometry, independent of the categorical fields
                Map<String, String> expected = new LinkedHashMap<>();
                quadrants.forEach(q -> expected.put(q, "none"));
                for (JsonElement le : found.getAsJsonArray("lesions")) {
                    JsonObject l = le.getAsJsonObject();
                    String quadrant = (l.get("x").getAsDouble() >= size / 2.0 ? "left" : "right") + "_"
                            + (l.get("y").getAsDouble() < size / 2.0 ? "upper" : "lower");
                    String previous = expected.put(quadrant, l.get("size").getAsString() + "_"
                            + l.get("contrast").getAsString());
                    assertEquals("none", previous, image + ": one lesion per quadrant");
                }
                int findings = 0;
                for (String q : quadrants) {
                    String value = labels.get(q).getAsString();
                    assertEquals(expected.get(q), value, image + " " + q);
                    values.add(value);
                    findings += value.equals("none") ? 0 : 1;
                }
                assertEquals(scan.lesionCount(), findings, image);
                assertEquals(found.getAsJsonArray("lesions").size(), findings, image);
                for (Lesion l : scan.lesions()) {
                    assertEquals(l.size().word() + "_" + l.contrast().word(),
                            labels.get(l.side().word() + "_" + l.level().word()).getAsString(), image);
                }
            }
        }
        assertEquals(Set.of("none", "small_bright", "small_dark", "large_bright", "large_dark"), values);
    }

    @Test
    void readmeListsEveryFileWithItsEntryCount() throws IOException {
        String readme = Files.readString(dir.resolve("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains("# medv synthetic scans (" + SyntheticDataset.GENERATOR + ")"), readme);
        assertTrue(readme.contains("| `train.json` | LLaVA instruction format: " + TRAIN * QuestionGenerator.PER_SCAN
                + " entries, one per question (" + TRAIN + " images, " + QuestionGenerator.PER_SCAN
                + " questions each) |"), readme);
        assertTrue(readme.contains("| `train_labels.json` | " + TRAIN + " entries: per-image labels (modality, and the "
                + "finding in each quadrant: none or size_contrast) for `medv train` stage = vision |"), readme);
        assertTrue(readme.contains("| `test_labels.json` | " + TEST + " entries: per-image labels"), readme);
    }

    @Test
    void everyAnswerFollowsFromTheMetadata() {
        JsonObject meta = json("metadata.json").getAsJsonObject();
        int size = meta.get("image_size").getAsInt();
        JsonArray images = meta.getAsJsonArray("images");
        for (VqaItem i : VqaTestReader.read(dir.resolve("test.json"))) {
            assertEquals(AnswerOracle.answer(i.question(), AnswerOracle.byImage(images, i.image()), size), i.answer(),
                    i.id() + ": " + i.question());
        }
        int checked = 0;
        for (JsonElement e : json("train.json").getAsJsonArray()) {
            JsonObject image = AnswerOracle.byImage(images, e.getAsJsonObject().get("image").getAsString());
            JsonArray turns = e.getAsJsonObject().getAsJsonArray("conversations");
            for (int t = 0; t < turns.size(); t += 2) {
                String q = turns.get(t).getAsJsonObject().get("value").getAsString().replace("<image>\n", "")
                        .replace(SyntheticDataset.ANSWER_SUFFIX, "");
                assertEquals(AnswerOracle.answer(q, image, size), turns.get(t + 1).getAsJsonObject().get("value")
                        .getAsString(), q);
                checked++;
            }
        }
        assertEquals(TRAIN * QuestionGenerator.PER_SCAN, checked);
    }

    @Test
    void metadataGeometryAgreesWithItsCategories() {
        JsonObject meta = json("metadata.json").getAsJsonObject();
        int size = meta.get("image_size").getAsInt();
        for (JsonElement e : meta.getAsJsonArray("images")) {
            JsonArray lesions = e.getAsJsonObject().getAsJsonArray("lesions");
            assertTrue(lesions.size() <= SyntheticScans.MAX_LESIONS);
            for (JsonElement le : lesions) {
                JsonObject l = le.getAsJsonObject();
                double x = l.get("x").getAsDouble();
                double y = l.get("y").getAsDouble();
                double r = l.get("radius").getAsDouble();
                assertEquals(l.get("side").getAsString(), x >= size / 2.0 ? "left" : "right", "patient's left = image right");
                assertEquals(l.get("level").getAsString(), y < size / 2.0 ? "upper" : "lower");
                assertEquals(l.get("size").getAsString(), r > 0.07 * size ? "large" : "small");
                assertTrue(Math.abs(x - size / 2.0) > r && Math.abs(y - size / 2.0) > r, "inside its quadrant");
            }
        }
    }

    @Test
    void yesAndNoAreBalancedAndOpenAnswersVary() {
        List<VqaItem> items = VqaTestReader.read(dir.resolve("test.json"));
        long yes = items.stream().filter(i -> i.answer().equals("yes")).count();
        long no = items.stream().filter(i -> i.answer().equals("no")).count();
        assertEquals(yes, no);
        Set<String> sides = new HashSet<>();
        Set<String> modalities = new HashSet<>();
        for (SyntheticDataset.Item item : SyntheticDataset.generate(SyntheticDataset.Split.TRAIN, 200, SEED, 64)) {
            sides.add(item.scan().sideAnswer());
            modalities.add(item.scan().modality().answer());
        }
        assertEquals(Set.of("left", "right", "both", "none"), sides);
        assertEquals(Set.of("ct", "x-ray", "mri"), modalities);
    }

    @Test
    void imagesDecodeAsGrayscaleOfTheSettingSize() throws IOException {
        try (Stream<Path> images = Files.list(dir.resolve("images"))) {
            for (Path p : images.toList()) {
                BufferedImage im = ImageIO.read(p.toFile());
                assertEquals(SyntheticScans.DEFAULT_SIZE, im.getWidth(), p.toString());
                assertEquals(SyntheticScans.DEFAULT_SIZE, im.getHeight(), p.toString());
                assertEquals(1, im.getRaster().getNumBands(), p.toString());
            }
        }
    }

    @Test
    void splitsDoNotDependOnEachOthersSize() {
        List<SyntheticDataset.Item> small = SyntheticDataset.generate(SyntheticDataset.Split.TEST, 5, SEED, 64);
        List<SyntheticDataset.Item> large = SyntheticDataset.generate(SyntheticDataset.Split.TEST, 9, SEED, 64);
        assertEquals(small, large.subList(0, 5));
        assertNotEquals(small.get(0).scan().textureSeed(),
                SyntheticDataset.generate(SyntheticDataset.Split.TRAIN, 1, SEED, 64).get(0).scan().textureSeed());
    }

    private static JsonElement json(String name) {
        try {
            return JsonParser.parseString(Files.readString(dir.resolve(name), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> out = new ArrayList<>();
            s.filter(Files::isRegularFile).map(root::relativize).sorted().forEach(out::add);
            return out;
        }
    }
}
