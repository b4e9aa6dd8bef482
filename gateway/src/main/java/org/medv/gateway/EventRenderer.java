package org.medv.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.Timings;
import org.medv.serving.Drafts;

import java.util.List;

/**
 * A denoiser step event as the client sees it: the draft as text with {@code ░} at masked positions, and the same
 * position by position ({@code tokens}, for the page's token view).
 */
@ApplicationScoped
public class EventRenderer {
    private final ModelHolder models;
    private volatile Drafts.Pieces pieces;

    EventRenderer(ModelHolder models) {
        this.models = models;
    }

    /**
     * @param options   what the request ran with (the model's defaults filled in), on the final event
     * @param stops     the request's stop sequences, or null for the model's defaults (the committed prefix holds
     *                  back a trailing start of one)
     * @param visionMs  the gateway's image encoding time, added to the final event's timings
     * @param totalMs   request received to now, the final event's total_ms
     */
    public AnswerEvent render(DenoiseEvent e, GenerationOptions options, List<List<Integer>> stops, long visionMs,
                              long totalMs) {
        AnswerEvent.Builder a = AnswerEvent.newBuilder()
                .setRequestId(e.getRequestId())
                .setStep(e.getStep())
                .setBlock(e.getBlock())
                .setTotalSteps(e.getTotalSteps())
                .addAllCommittedPositions(e.getCommittedPositionsList())
                .setPlaceholder(Drafts.PLACEHOLDER)
                .setPublishedUnixNanos(e.getPublishedUnixNanos())
                .setFinal(e.getFinal());
        if (e.getIdsCount() > 0) {
            int[] ids = e.getIdsList().stream().mapToInt(Integer::intValue).toArray();
            var model = models.model();
            Drafts.Draft d = Drafts.render(model.tokenizer(), ids, e.getMaskId(), e.getStopPosition(),
                    stops != null ? stops : model.tokens().defaultStops());
            a.setDraft(d.text()).setCommittedPrefix(d.committedPrefix())
                    .addAllTokens(Drafts.tokens(pieces(), ids, e.getMaskId(), e.getStopPosition()));
        }
        if (e.getFinal()) {
            Timings.Builder t = e.getTimings().toBuilder().setVisionMs(visionMs).setTotalMs(totalMs);
            a.setText(e.getText())
                    .setFinishReason(e.getFinishReason())
                    .setTimings(t)
                    .setOptions(options)
                    .addAllOutputIds(e.getOutputIdsList());
            if (e.hasError()) {
                a.setError(e.getError());
            }
        }
        return a.build();
    }

    private Drafts.Pieces pieces() {
        Drafts.Pieces p = pieces;
        if (p == null) {
            // the model is loaded once (ModelHolder); a race only builds the same empty cache twice
            p = new Drafts.Pieces(models.model().tokenizer());
            pieces = p;
        }
        return p;
    }
}
