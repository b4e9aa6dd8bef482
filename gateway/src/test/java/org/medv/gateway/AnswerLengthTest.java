package org.medv.gateway;

import org.junit.jupiter.api.Test;
import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import org.medv.proto.v1.GenerationOptions.Builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** max_tokens as gen_length, with block_length and steps following it when unset. */
class AnswerLengthTest {
    private static final GenerationOptions DEMO = GenerationOptions.defaults();
    private static final GenerationOptions HALF_STEPS = new GenerationOptions(64, 32, 32, 0, 0, 0,
            Remasking.LOW_CONFIDENCE, null, null);

    private static int[] apply(Integer max, Integer block, Integer steps, GenerationOptions defaults) {
        Builder o = org.medv.proto.v1.GenerationOptions.newBuilder();
        if (block != null) {
            o.setBlockLength(block);
        }
        if (steps != null) {
            o.setSteps(steps);
        }
        AnswerLength.apply(o, max, "max_tokens", defaults);
        return new int[]{o.getGenLength(), o.getBlockLength(), o.getSteps()};
    }

    @Test
    void unsetBlockAndStepsFollowMaxTokens() {
        assertArrayEquals(new int[]{16, 16, 16}, apply(16, null, null, DEMO));
        assertArrayEquals(new int[]{256, 128, 256}, apply(256, null, null, DEMO));
        assertArrayEquals(new int[]{200, 200, 200}, apply(200, null, null, DEMO));
        assertArrayEquals(new int[]{128, 32, 64}, apply(128, null, null, HALF_STEPS));
        assertArrayEquals(new int[]{96, 32, 48}, apply(96, null, null, HALF_STEPS));
        assertArrayEquals(new int[]{8, 8, 4}, apply(8, null, null, HALF_STEPS));
        assertArrayEquals(new int[]{1, 1, 1}, apply(1, null, null, HALF_STEPS));
        assertArrayEquals(new int[]{24, 8, 24}, apply(24, 8, null, DEMO));
        assertArrayEquals(new int[]{24, 8, 6}, apply(24, 8, 6, DEMO));
    }

    @Test
    void givenValuesAreCheckedNamingTheParameter() {
        OpenAiException block = assertThrows(OpenAiException.class, () -> apply(20, 8, null, DEMO));
        assertEquals("block_length", block.param);
        assertTrue(block.getMessage().contains("max_tokens=20 must be a multiple of block_length=8"));
        OpenAiException steps = assertThrows(OpenAiException.class, () -> apply(24, 8, 4, DEMO));
        assertEquals("steps", steps.param);
        assertTrue(steps.getMessage().contains("(max_tokens=24 / block_length=8 = 3)"), steps.getMessage());
        assertEquals("max_tokens", assertThrows(OpenAiException.class, () -> apply(0, null, null, DEMO)).param);
        assertEquals("block_length", assertThrows(OpenAiException.class, () -> apply(8, 0, null, DEMO)).param);
    }

    @Test
    void withoutMaxTokensNothingIsSet() {
        Builder o = org.medv.proto.v1.GenerationOptions.newBuilder().setSteps(7);
        AnswerLength.apply(o, null, "max_tokens", DEMO);
        assertFalse(o.hasGenLength());
        assertFalse(o.hasBlockLength());
        assertEquals(7, o.getSteps());
    }

    private static void assertArrayEquals(int[] expected, int[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, java.util.Arrays.toString(actual));
    }
}
