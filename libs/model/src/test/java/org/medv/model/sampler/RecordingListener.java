package org.medv.model.sampler;

import java.util.ArrayList;
import java.util.List;

/** Records every step event; optionally reports cancellation once {@code cancelAfter} events have arrived. */
final class RecordingListener implements StepListener {
    final List<StepEvent> events = new ArrayList<>();
    private final int cancelAfter;
    int cancelChecks;

    RecordingListener() {
        this(-1);
    }

    RecordingListener(int cancelAfter) {
        this.cancelAfter = cancelAfter;
    }

    @Override
    public void onStep(StepEvent event) {
        events.add(event);
    }

    @Override
    public boolean cancelled() {
        cancelChecks++;
        return cancelAfter >= 0 && events.size() >= cancelAfter;
    }

    int[] committedCounts() {
        return events.stream().mapToInt(e -> e.committed().length).toArray();
    }

    /** Every committed position, in commit order over the whole run. */
    int[] commitOrder() {
        return events.stream().flatMapToInt(e -> java.util.Arrays.stream(e.committed())).toArray();
    }
}
