package org.medv.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.cli.GenerateGoldenCliTest.Result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.medv.cli.GenerateGoldenCliTest.GOLDEN;
import static org.medv.cli.GenerateGoldenCliTest.medv;

/** {@code medv doctor} on this machine's CPU: f32 identical to upstream, f16's agreement, a corrupted golden copy. */
class DoctorCliTest {

    @Test
    void f32ReplaysEveryGoldenSetIdentically() {
        Result r = medv("doctor", "--device", "cpu", "--dtype", "f32", "--golden", GOLDEN.toString(),
                "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = r.json();
        assertEquals("PyTorch", o.get("engine").getAsString());
        assertEquals("2.7.1", o.get("version").getAsString());
        assertEquals("cpu", o.get("flavor").getAsString());
        assertEquals("cpu()", o.get("device").getAsString());
        assertEquals("f32", o.get("dtype").getAsString());
        assertTrue(o.getAsJsonObject("memory").get("heap_max_mib").getAsLong() > 0, o.toString());
        JsonObject dtypes = o.getAsJsonObject("dtypes");
        assertTrue(dtypes.get("f32").getAsBoolean() && dtypes.get("f16").getAsBoolean(), dtypes.toString());
        JsonObject golden = o.getAsJsonObject("golden");
        assertEquals("identical", golden.get("check").getAsString());
        assertEquals("12 of 12 answers, 135 of 135 states", golden.get("agreement").getAsString());
        List<String> names = golden.getAsJsonArray("sets").asList().stream()
                .map(s -> s.getAsJsonObject().get("name").getAsString()).toList();
        assertEquals(List.of("tiny-llada-medv", "tiny-llada-medv-anyres"), names);
        assertEquals(new JsonArray(), o.getAsJsonArray("failures"));
        assertTrue(o.get("passed").getAsBoolean());
        assertTrue(r.err().contains("result    ok"), r.err());
    }

    /** The figures F16AgreementTest records, now from the command a GPU user runs; f16 is a report, not a failure. */
    @Test
    void f16ReportsItsAgreement() {
        Result r = medv("doctor", "--dtype", "f16", "--golden", GOLDEN.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonObject golden = r.json().getAsJsonObject("golden");
        assertEquals("agreement", golden.get("check").getAsString());
        assertEquals("10 of 12 answers, 127 of 135 states", golden.get("agreement").getAsString());
        JsonObject base = golden.getAsJsonArray("sets").get(0).getAsJsonObject();
        assertEquals(JsonParser.parseString("[\"multimodal 0\", \"multimodal 4\"]"), base.get("differing_runs"));
    }

    @Test
    void aChangedExpectedIdFailsNamingTheSet(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("tiny-llada-medv");
        copyTree(GOLDEN.resolve("tiny-llada-medv"), copy);
        JsonObject expected = JsonParser.parseString(Files.readString(copy.resolve("expected.json")))
                .getAsJsonObject();
        JsonArray ids = expected.getAsJsonArray("runs").get(2).getAsJsonObject().getAsJsonArray("output_ids");
        ids.set(0, new com.google.gson.JsonPrimitive(ids.get(0).getAsInt() + 1));
        Files.writeString(copy.resolve("expected.json"), expected.toString());

        Result r = medv("doctor", "--golden", tmp.toString(), "--format", "json");
        assertEquals(DoctorCommand.EXIT_FAILED, r.code(), r.err());
        JsonObject o = r.json();
        assertFalse(o.get("passed").getAsBoolean());
        assertEquals("golden set tiny-llada-medv: multimodal 2 not identical to upstream in f32",
                o.getAsJsonArray("failures").get(0).getAsString());
        assertTrue(r.err().contains("result    FAILED: golden set tiny-llada-medv: multimodal 2"), r.err());
        // text output says the same
        Result text = medv("doctor", "--golden", tmp.toString());
        assertEquals(DoctorCommand.EXIT_FAILED, text.code());
        assertTrue(text.out().contains("golden    tiny-llada-medv f32: 9 of 10 answers"), text.out());
    }

    @Test
    void gpuWithoutOneFailsWithTheDevicesMessage() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        Result r = medv("doctor", "--device", "gpu", "--golden", GOLDEN.toString());
        assertEquals(Main.EXIT_MODEL, r.code(), r.err());
        assertTrue(r.err().contains("--device gpu: PYTORCH_LIBRARY_PATH is not set")
                || r.err().contains("--device gpu: PYTORCH_FLAVOR is")
                || r.err().contains("--device gpu: the CUDA build of libtorch in"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anUnknownDeviceOrDtypeIsInvalid() {
        Result device = medv("doctor", "--device", "tpu", "--golden", GOLDEN.toString());
        assertEquals(Main.EXIT_INVALID, device.code());
        assertTrue(device.err().contains("medv: invalid device: --device must be cpu or gpu, got tpu"), device.err());
        Result dtype = medv("doctor", "--dtype", "bf16", "--golden", GOLDEN.toString());
        assertEquals(Main.EXIT_INVALID, dtype.code());
        assertTrue(dtype.err().contains("medv: invalid dtype: unknown dtype bf16 (f32 or f16)"), dtype.err());
    }

    @Test
    void aDirectoryWithoutGoldenSetsIsInvalid(@TempDir Path tmp) {
        Result r = medv("doctor", "--golden", tmp.toString());
        assertEquals(Main.EXIT_INVALID, r.code());
        assertTrue(r.err().contains("medv: invalid golden: --golden " + tmp + " holds no golden set"), r.err());
    }

    /** deploy/gpu/README.md's {@code ./medv} commands (continuation lines joined) parse with the real command tree. */
    @Test
    void theGpuReadmeCommandsParse() throws IOException {
        String readme = Files.readString(GenerateGoldenCliTest.root().resolve("deploy/gpu/README.md"));
        List<String> commands = Stream.of(readme.replace("\\\n", " ").split("\n"))
                .map(String::strip).filter(l -> l.startsWith("./medv ")).toList();
        assertEquals(4, commands.size(), commands.toString());
        for (String c : commands) {
            List<String> args = new ArrayList<>();
            Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(c.substring("./medv ".length()));
            while (m.find()) {
                args.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
            Main.commandLine().parseArgs(args.toArray(String[]::new)); // throws on an unknown flag or command
        }
        assertTrue(commands.contains("./medv doctor --device gpu --dtype f16"), commands.toString());
        assertTrue(commands.contains("./medv up --model /models/llada-medv --device gpu --dtype f16"),
                commands.toString());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}
