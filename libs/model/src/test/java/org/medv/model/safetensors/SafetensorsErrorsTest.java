package org.medv.model.safetensors;

import org.medv.model.EngineTest;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.ModelLoadException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medv.model.safetensors.CheckpointTest.writeIndex;
import static org.medv.model.safetensors.RawSafetensors.f32;

/** Broken files and directories fail at open or load with a ModelLoadException naming the file and the tensor. */
class SafetensorsErrorsTest extends EngineTest {
    @TempDir
    Path dir;

    private static ModelLoadException fails(Executable call, Object... named) {
        ModelLoadException e = assertThrows(ModelLoadException.class, call);
        for (Object n : named) {
            assertTrue(e.getMessage().contains(n.toString()), "message should name " + n + ": " + e.getMessage());
        }
        return e;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path f = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        fails(() -> SafetensorsFile.open(f), f, "truncated", "3 bytes");
        fails(() -> Checkpoint.open(f), f, "truncated");
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] header = utf8("{}");
        Path f = RawSafetensors.writeRaw(dir.resolve("h.safetensors"), 1000, header, new byte[0]);
        fails(() -> SafetensorsFile.open(f), f, "header length 1000", "10 bytes");
        Path negative = RawSafetensors.writeRaw(dir.resolve("n.safetensors"), -5, header, new byte[0]);
        fails(() -> SafetensorsFile.open(negative), negative, "header length -5");
    }

    @Test
    void headerThatIsNotAJsonObject() {
        byte[] garbage = utf8("{\"w\": {\"dtype\"");
        Path f = RawSafetensors.writeRaw(dir.resolve("g.safetensors"), garbage.length, garbage, new byte[0]);
        fails(() -> SafetensorsFile.open(f), f, "not a JSON object");
        byte[] array = utf8("[1, 2]");
        Path a = RawSafetensors.writeRaw(dir.resolve("a.safetensors"), array.length, array, new byte[0]);
        fails(() -> SafetensorsFile.open(a), a, "not a JSON object");
    }

    @Test
    void tensorDataBeyondTheEndOfTheFile() throws IOException {
        Path f = new RawSafetensors().tensor("ok", "F32", new long[] {1}, f32(1))
                .tensor("layer.w", "F32", new long[] {4}, f32(1, 2, 3, 4)).write(dir.resolve("t.safetensors"));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
        fails(() -> SafetensorsFile.open(f), f, "truncated", "layer.w", "ends at byte 20", "17 data bytes");
    }

    @Test
    void dataOffsetsInconsistentWithTheShape() {
        Path f = new RawSafetensors().entry("layer.w", "F32", new long[] {2, 2}, 0, 12, new byte[16])
                .write(dir.resolve("o.safetensors"));
        fails(() -> SafetensorsFile.open(f), f, "layer.w", "F32[2, 2]", "needs 16 bytes", "[0, 12]");
        Path longer = new RawSafetensors().entry("layer.w", "F32", new long[] {2, 2}, 0, 20, new byte[20])
                .write(dir.resolve("l.safetensors"));
        fails(() -> SafetensorsFile.open(longer), longer, "layer.w", "needs 16 bytes", "[0, 20]");
        Path reversed = new RawSafetensors().entry("w", "U8", new long[] {0}, 8, 4, new byte[8])
                .write(dir.resolve("r.safetensors"));
        fails(() -> SafetensorsFile.open(reversed), reversed, "w", "[8, 4]");
    }

    @Test
    void unknownDtype() {
        Path f = new RawSafetensors().tensor("q.w", "F8_E4M3", new long[] {4}, new byte[4])
                .write(dir.resolve("d.safetensors"));
        fails(() -> SafetensorsFile.open(f), f, "unsupported dtype F8_E4M3", "q.w");
    }

    @Test
    void malformedEntry() {
        byte[] h = utf8("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}");
        Path f = RawSafetensors.writeRaw(dir.resolve("m.safetensors"), h.length, h, new byte[4]);
        fails(() -> SafetensorsFile.open(f), f, "tensor w needs shape");
        Path neg = new RawSafetensors().entry("w", "F32", new long[] {-1, -4}, 0, 16, new byte[16])
                .write(dir.resolve("neg.safetensors"));
        fails(() -> SafetensorsFile.open(neg), neg, "tensor w has shape value -1");
    }

    @Test
    void missingTensor() {
        new RawSafetensors().tensor("w", "F32", new long[] {1}, f32(1)).write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            fails(() -> c.info("model.norm.weight"), "missing tensor model.norm.weight", dir, "1 tensors in 1 file");
            fails(() -> c.load(manager, "model.norm.weight", DataType.FLOAT32), "model.norm.weight");
        }
    }

    @Test
    void wrongShapeNamesBothShapes() {
        Path f = new RawSafetensors().tensor("lm_head.weight", "F32", new long[] {2, 3}, new byte[24])
                .write(dir.resolve("m.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            fails(() -> c.load(manager, "lm_head.weight", new long[] {3, 2}, DataType.FLOAT32),
                    "lm_head.weight", f, "[2, 3]", "[3, 2]");
        }
    }

    @Test
    void indexPointingToAMissingShard() throws IOException {
        new RawSafetensors().tensor("a", "F32", new long[] {1}, f32(1)).write(dir.resolve("s1.safetensors"));
        writeIndex(dir, "{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}");
        fails(() -> Checkpoint.open(dir), dir.resolve("s2.safetensors"), "missing",
                dir.resolve("model.safetensors.index.json"));
    }

    @Test
    void indexNamingATensorTheShardLacks() throws IOException {
        new RawSafetensors().tensor("a", "F32", new long[] {1}, f32(1)).write(dir.resolve("s1.safetensors"));
        new RawSafetensors().tensor("b", "F32", new long[] {1}, f32(2)).write(dir.resolve("s2.safetensors"));
        writeIndex(dir, "{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\", \"c\": \"s2.safetensors\"}");
        fails(() -> Checkpoint.open(dir), "tensor c", dir.resolve("s2.safetensors"), "does not contain it");
        // both shards listed, but each tensor under the other one
        writeIndex(dir, "{\"a\": \"s2.safetensors\", \"b\": \"s1.safetensors\"}");
        fails(() -> Checkpoint.open(dir), "tensor a", dir.resolve("s2.safetensors"), "does not contain it");
    }

    @Test
    void indexWithoutWeightMap() throws IOException {
        new RawSafetensors().tensor("a", "F32", new long[] {1}, f32(1)).write(dir.resolve("s1.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        fails(() -> Checkpoint.open(dir), "weight_map", dir.resolve("model.safetensors.index.json"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "not json at all {");
        fails(() -> Checkpoint.open(dir), dir.resolve("model.safetensors.index.json"));
    }

    @Test
    void duplicateTensorAcrossShards() throws IOException {
        Path one = new RawSafetensors().tensor("a", "F32", new long[] {1}, f32(1))
                .tensor("dup", "F32", new long[] {1}, f32(2)).write(dir.resolve("s1.safetensors"));
        Path two = new RawSafetensors().tensor("dup", "F32", new long[] {1}, f32(3)).write(dir.resolve("s2.safetensors"));
        fails(() -> Checkpoint.open(dir), "tensor dup", one, two);
        writeIndex(dir, "{\"a\": \"s1.safetensors\", \"dup\": \"s2.safetensors\"}");
        fails(() -> Checkpoint.open(dir), "tensor dup", one, two);
    }

    @Test
    void neitherFileNorDirectory() throws IOException {
        Path nowhere = dir.resolve("nowhere");
        fails(() -> Checkpoint.open(nowhere), nowhere);
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Files.writeString(empty.resolve("config.json"), "{}");
        fails(() -> Checkpoint.open(empty), "no *.safetensors files", empty);
    }
}
