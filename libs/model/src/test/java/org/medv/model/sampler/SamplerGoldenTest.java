package org.medv.model.sampler;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.medv.model.EngineTest;
import org.medv.model.Golden;
import org.medv.model.golden.GoldenSet;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every golden run, step by step: the generated region before each forward of the reference must equal ours, and
 * the returned ids too. Multimodal runs start from the reference's prompt embeddings; text runs from prompt ids
 * ({@link GoldenSet} replays them as {@code medv doctor} does).
 */
class SamplerGoldenTest extends EngineTest {

    @TestFactory
    Stream<DynamicTest> baseRuns() {
        return runs(Golden.base());
    }

    @TestFactory
    Stream<DynamicTest> anyresRuns() {
        return runs(Golden.anyres());
    }

    private Stream<DynamicTest> runs(Path dir) {
        GoldenSet set = GoldenSet.load(dir, manager, DataType.FLOAT32);
        return set.runs().stream().map(run -> DynamicTest.dynamicTest(run.name() + " " + describe(run.options()),
                () -> check(set.replay(run))));
    }

    private static void check(GoldenSet.Replay r) {
        var want = r.run().statesBeforeEachForward();
        assertEquals(want.size(), r.stepsRun(), "number of forwards");
        for (int s = 0; s < want.size(); s++) {
            assertArrayEquals(want.get(s), r.statesBeforeEachForward().get(s), "state before forward " + s);
        }
        assertArrayEquals(r.run().outputIds(), r.outputIds(), "output_ids");
    }

    private static String describe(GenerationOptions o) {
        return "gen=" + o.genLength() + " block=" + o.blockLength() + " steps=" + o.steps()
                + (o.cfgScale() != 0 ? " cfg=" + o.cfgScale() : "")
                + (o.stopSequences() != null && !o.stopSequences().isEmpty() ? " stop=" + o.stopSequences() : "");
    }
}
