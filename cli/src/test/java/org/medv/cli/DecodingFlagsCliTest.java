package org.medv.cli;

import org.junit.jupiter.api.Test;
import org.medv.model.sampler.CacheMode;
import org.medv.model.sampler.GenerationOptions;
import org.medv.proto.v1.AnswerEvent;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --cache}, {@code --threshold} and {@code --refresh-every} on every command with the generation flags:
 * in-process options, the proto sent to the gateway, the eval run's settings label, refusals naming the field.
 */
class DecodingFlagsCliTest {
    private static final String[] MODE = {"--cache", "dual", "--threshold", "0.90", "--refresh-every", "8"};

    /** The generation flags of each command that has them, parsed from {@code args}. */
    private static List<GenerationFlags> parsed(String... args) {
        GenerateCommand generate = new GenerateCommand();
        BenchCommand.Generate bench = new BenchCommand.Generate();
        AskCommand ask = new AskCommand();
        EvalRunCommand run = new EvalRunCommand();
        new CommandLine(generate).parseArgs(concat(args, "--model", "m", "--prompt-ids", "1"));
        new CommandLine(bench).parseArgs(concat(args, "--model", "m"));
        new CommandLine(ask).parseArgs(concat(args, "Which side?"));
        new CommandLine(run).parseArgs(concat(args, "--dataset", "synth", "--data", "d"));
        return List.of(generate.flags, bench.flags, ask.flags, run.flags);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void everyCommandCarriesTheModeInProcessAndOnTheWire() {
        for (GenerationFlags f : parsed(MODE)) {
            GenerationOptions o = f.toOptions(GenerationOptions.defaults());
            assertEquals(CacheMode.DUAL, o.cache());
            assertEquals(0.9, o.threshold());
            assertEquals(8, o.refreshEvery());
            assertEquals("dual+t0.9/r8", o.modeName());
            org.medv.proto.v1.GenerationOptions p = f.toProto();
            assertEquals(org.medv.proto.v1.CacheMode.CACHE_MODE_DUAL, p.getCache());
            assertEquals(0.9, p.getThreshold());
            assertEquals(8, p.getRefreshEvery());
            assertFalse(p.hasGenLength() || p.hasSteps(), "the rest stays unset");
        }
    }

    @Test
    void leftOutTheyAreTheModelsInProcessAndUnsetOnTheWire() {
        GenerationOptions model = GenerationOptions.defaults().withDecoding(CacheMode.PREFIX, 0.5, 2);
        for (GenerationFlags f : parsed()) {
            assertEquals(model, f.toOptions(model));
            org.medv.proto.v1.GenerationOptions p = f.toProto();
            assertEquals(org.medv.proto.v1.CacheMode.CACHE_MODE_UNSPECIFIED, p.getCache());
            assertFalse(p.hasThreshold() || p.hasRefreshEvery());
        }
        GenerationFlags zero = parsed("--threshold", "0", "--refresh-every", "0", "--cache", "none").get(2);
        assertTrue(zero.toProto().hasThreshold() && zero.toProto().hasRefreshEvery(), "0 is sent as a value");
        assertEquals("exact", zero.toOptions(model).modeName());
    }

    @Test
    void theEvalRunSettingsLabelNamesTheModeFlagsGiven() {
        assertEquals("gen=8,cache=dual,threshold=0.9,refresh=8",
                parsed(concat(MODE, "--gen-length", "8")).get(3).settingsLabel());
        assertEquals("threshold=1", parsed("--threshold", "1.0").get(3).settingsLabel());
        assertEquals(null, parsed().get(3).settingsLabel());
    }

    @Test
    void badValuesExitTwoNamingTheFieldBeforeAnythingIsSent() {
        // port 1: nothing listens there, so reaching the network would fail differently
        for (String[] c : List.of(
                new String[]{"cache", "cache must be none, prefix or dual, got \"fast\"", "--cache", "fast"},
                new String[]{"threshold", "in (0, 1], got 1.5", "--threshold", "1.5"},
                new String[]{"threshold", "needs remasking=low_confidence", "--threshold", "0.9", "--remasking",
                        "random"},
                new String[]{"refresh_every", "refresh_every must be >= 0", "--refresh-every", "-1"})) {
            String[] flags = java.util.Arrays.copyOfRange(c, 2, c.length);
            for (String[] args : List.of(concat(new String[]{"ask", "--port", "1", "q"}, flags),
                    concat(new String[]{"eval", "run", "--dataset", "synth", "--data", "/nonexistent", "--port", "1",
                            "--evaluator", "http://localhost:1"}, flags))) {
                GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv(args);
                assertEquals(Main.EXIT_INVALID, r.code(), String.join(" ", args) + ": " + r.err());
                assertTrue(r.err().startsWith("medv: invalid " + c[0] + ": "), r.err());
                assertTrue(r.err().contains(c[1]), r.err());
            }
        }
    }

    @Test
    void askJsonNamesTheModeOfTheFinalEventsOptions() {
        AnswerEvent e = AnswerEvent.newBuilder().setFinal(true).setText("both")
                .setOptions(org.medv.proto.v1.GenerationOptions.newBuilder()
                        .setCache(org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX).setThreshold(0.9).setRefreshEvery(0))
                .build();
        assertEquals("prefix+t0.9", AskCommand.json(e).get("mode").getAsString());
        assertFalse(AskCommand.json(e.toBuilder().clearOptions().build()).has("mode"),
                "a gateway that reports no options: no mode");
    }
}
