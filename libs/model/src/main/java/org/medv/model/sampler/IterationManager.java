package org.medv.model.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The iteration manager (dInfer's term): where the answer stands and what the next step may commit. It walks LLaDA's
 * semi-autoregressive blocks, holds each block's transfer schedule, finds stop sequences after every commit and ends
 * the run early once a found stop has nothing masked before it. It never touches the model.
 */
final class IterationManager {
    private final GenerationOptions options;
    private final int mask;
    private final List<List<Integer>> stops;
    private final int[] gen;
    private int block;
    private int stepInBlock;
    private int[] schedule;
    private int stopPos = -1;
    private int step;
    private boolean done;

    IterationManager(GenerationOptions options, int mask, List<List<Integer>> stops) {
        this.options = options;
        this.mask = mask;
        this.stops = stops;
        this.gen = new int[options.genLength()];
        Arrays.fill(gen, mask);
        settle();
    }

    /** True once no step is left: every block ran, or a found stop has nothing masked before it. */
    boolean done() {
        return done;
    }

    int block() {
        return block;
    }

    int stepInBlock() {
        return stepInBlock;
    }

    int step() {
        return step;
    }

    int blockStart() {
        return block * options.blockLength();
    }

    int blockEnd() {
        return blockStart() + options.blockLength();
    }

    int stopPosition() {
        return stopPos;
    }

    int[] ids() {
        return gen;
    }

    /** The masked positions this step may commit: in the current block, and before a found stop sequence. */
    int[] candidates() {
        int limit = stopPos >= 0 ? Math.min(stopPos, blockEnd()) : blockEnd();
        return IntStream.range(blockStart(), limit).filter(i -> gen[i] == mask).toArray();
    }

    /** How many positions this step commits under LLaDA's fixed schedule. */
    int scheduled() {
        return schedule[stepInBlock];
    }

    /**
     * The fewest positions this step must commit for the block to finish within its steps (threshold decoding keeps
     * {@code steps} as an upper bound): the block's remaining masks over its remaining steps, rounded up, at least 1.
     */
    int atLeast() {
        int remaining = options.stepsPerBlock() - stepInBlock;
        int masks = countMasks(blockStart(), blockEnd());
        return Math.max(1, (masks + remaining - 1) / remaining);
    }

    /** Writes the committed tokens, looks for stop sequences, and moves to the next step that has work. */
    void commit(int[] positions, int[] tokens) {
        for (int c = 0; c < positions.length; c++) {
            gen[positions[c]] = tokens[c];
        }
        if (!stops.isEmpty()) {
            stopPos = findStop(gen, stops, stopPos);
        }
        step++;
        stepInBlock++;
        settle();
    }

    /**
     * Advances to the next (block, step) with something to commit, as {@code generate_with_embeds}'s loops do: a
     * block ends after its scheduled steps or when it has no mask left; the run ends after the last block, or when a
     * found stop sequence has nothing masked before it.
     */
    private void settle() {
        while (true) {
            if (block >= options.numBlocks() || (stopPos >= 0 && stopPos <= blockStart())) {
                done = true;
                return;
            }
            if (schedule == null) {
                schedule = DiffusionSampler.transferSchedule(countMasks(blockStart(), blockEnd()),
                        options.stepsPerBlock());
            }
            if (stopPos >= 0 && countMasks(0, stopPos) == 0) {
                done = true;
                return;
            }
            if (stepInBlock < options.stepsPerBlock() && countMasks(blockStart(), blockEnd()) > 0) {
                return;
            }
            block++;
            stepInBlock = 0;
            schedule = null;
        }
    }

    /**
     * Stop detection after every step, as the reference scans: stop sequences in order, each at its first
     * occurrence in the generated region; the stop position only moves earlier. Upstream quirk kept on purpose:
     * once any stop has been found, the scan ends after the first sequence, so later sequences are only looked at
     * while nothing has been found (this only matters with several stop sequences).
     */
    static int findStop(int[] gen, List<List<Integer>> stops, int stopPos) {
        boolean found = stopPos >= 0;
        for (List<Integer> seq : stops) {
            int at = firstOccurrence(gen, seq);
            if (at >= 0 && (!found || at < stopPos)) {
                stopPos = at;
                found = true;
            }
            if (found) {
                break;
            }
        }
        return stopPos;
    }

    private static int firstOccurrence(int[] gen, List<Integer> seq) {
        outer:
        for (int s = 0; s + seq.size() <= gen.length; s++) {
            for (int j = 0; j < seq.size(); j++) {
                if (gen[s + j] != seq.get(j)) {
                    continue outer;
                }
            }
            return s;
        }
        return -1;
    }

    private int countMasks(int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            if (gen[i] == mask) {
                c++;
            }
        }
        return c;
    }
}
