package org.medv.gateway;

import org.medv.model.sampler.GenerationOptions;

/**
 * {@code max_tokens} as medv's answer length. A masked-diffusion answer has exactly {@code gen_length} positions,
 * split into blocks of {@code block_length} denoised in turn with {@code steps / blocks} steps each, so
 * {@code max_tokens} becomes {@code gen_length} and the other two, when the request leaves them unset, follow it:
 * <ul>
 *   <li>{@code block_length}: the model's default block length if it divides {@code max_tokens}, else
 *       {@code max_tokens} (one block);</li>
 *   <li>{@code steps}: {@code max_tokens} times the model's default steps per position ({@code steps /
 *       gen_length}), rounded up to a multiple of the number of blocks.</li>
 * </ul>
 * Values the request gives are kept and checked: {@code block_length} must divide {@code max_tokens}, and
 * {@code steps} must be a multiple of the number of blocks. Without {@code max_tokens} nothing changes here (the
 * model's defaults apply as for every other entry point).
 */
final class AnswerLength {
    private AnswerLength() {
    }

    /**
     * @param maxTokens   the requested answer length, or null
     * @param lengthParam the parameter that set it ({@code max_tokens} or {@code max_completion_tokens})
     * @param defaults    the model's sampler defaults
     */
    static void apply(org.medv.proto.v1.GenerationOptions.Builder o, Integer maxTokens, String lengthParam,
                      GenerationOptions defaults) {
        if (maxTokens == null) {
            return;
        }
        int gen = positive(maxTokens, lengthParam);
        int block;
        if (o.hasBlockLength()) {
            block = positive(o.getBlockLength(), "block_length");
            if (gen % block != 0) {
                throw OpenAiException.invalid("block_length", "Invalid 'block_length': " + lengthParam + "=" + gen
                        + " must be a multiple of block_length=" + block + ".");
            }
        } else {
            block = gen % defaults.blockLength() == 0 ? defaults.blockLength() : gen;
        }
        int blocks = gen / block;
        int steps;
        if (o.hasSteps()) {
            steps = positive(o.getSteps(), "steps");
            if (steps % blocks != 0) {
                throw OpenAiException.invalid("steps", "Invalid 'steps': steps=" + steps + " must be a multiple of the "
                        + "number of blocks (" + lengthParam + "=" + gen + " / block_length=" + block + " = " + blocks
                        + ").");
            }
        } else {
            long scaled = ((long) gen * defaults.steps() + defaults.genLength() - 1) / defaults.genLength();
            steps = (int) Math.max(blocks, (scaled + blocks - 1) / blocks * blocks);
        }
        o.setGenLength(gen).setBlockLength(block).setSteps(steps);
    }

    private static int positive(int v, String param) {
        if (v <= 0) {
            throw OpenAiException.invalid(param, "Invalid '" + param + "': must be a positive integer, got " + v + ".");
        }
        return v;
    }
}
