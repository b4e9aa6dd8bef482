package org.medv.model.sampler;

import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * Many requests per forward: one step of every unfinished {@link Decoding} in a single packed forward (each request
 * keeps its own length, block, schedule, stop and mode; see {@link MaskPredictor#forward}). Requests join and leave
 * between steps: the caller passes whichever are running.
 */
public final class BatchDecoder {
    private final MaskPredictor model;

    public BatchDecoder(MaskPredictor model) {
        this.model = model;
    }

    /**
     * Runs one step of each decoding in {@code running} that has one left; returns how many stepped. Requests whose
     * generation ended (or was cancelled) before this step are skipped; the caller collects them with
     * {@link Decoding#finished()}.
     */
    public int step(NDManager parent, List<Decoding> running) {
        try (NDManager m = parent.newSubManager()) {
            List<Decoding> stepping = new ArrayList<>();
            List<SequenceInput> packed = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (Decoding d : running) {
                List<SequenceInput> plan = d.plan(m);
                if (!plan.isEmpty()) {
                    stepping.add(d);
                    packed.addAll(plan);
                    counts.add(plan.size());
                }
            }
            if (stepping.isEmpty()) {
                return 0;
            }
            List<SequenceOutput> outputs = model.forward(m, packed);
            int from = 0;
            for (int i = 0; i < stepping.size(); i++) {
                int n = counts.get(i);
                stepping.get(i).accept(outputs.subList(from, from + n));
                from += n;
            }
            return stepping.size();
        }
    }
}
