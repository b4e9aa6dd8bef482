package org.medv.model.sampler;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.medv.model.EngineTest;
import org.medv.model.Golden;
import org.medv.model.golden.GoldenSet;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * f16, what a GPU runs, against the golden sets computed in f32: how many runs give the same answer, and how many
 * states before a forward match step by step. The figures are printed and recorded in docs/benchmarks.md; the
 * assertions hold them (f16 on the CPU engine is deterministic). The tiny random checkpoints are a hard case: their
 * confidences are nearly uniform (relative gaps down to 6e-4), so f16 rounding reorders near-ties.
 */
class F16AgreementTest extends EngineTest {

    @Test
    void f16AgreesWithTheGoldenSets() {
        int[] totals = new int[4]; // runs, same answers, states, same states
        StringBuilder report = new StringBuilder();
        for (Path dir : List.of(Golden.base(), Golden.anyres())) {
            GoldenSet set = GoldenSet.load(dir, manager, DataType.FLOAT16);
            for (GoldenSet.Run run : set.runs()) {
                GoldenSet.Replay r = set.replay(run);
                int states = run.statesBeforeEachForward().size();
                totals[0]++;
                totals[1] += r.sameAnswer() ? 1 : 0;
                totals[2] += states;
                totals[3] += r.sameStates();
                report.append(String.format("  %s %s: answer %s, %d of %d states%n", set.name(), run.name(),
                        r.sameAnswer() ? "same" : "differs", r.sameStates(), states));
            }
        }
        System.out.printf("f16 vs golden f32: %d of %d answers identical, %d of %d states before a forward%n%s",
                totals[1], totals[0], totals[3], totals[2], report);
        assertEquals(List.of(12, 10, 135, 127), Arrays.stream(totals).boxed().toList());
    }
}
