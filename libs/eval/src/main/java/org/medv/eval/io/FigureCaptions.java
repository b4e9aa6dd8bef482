package org.medv.eval.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The conversation benchmark's figure file, {@code llava_med_eval_qa50_fig_captions.json}: a dict keyed by domain of
 * lists of {@code {fig_caption, fig_id, fig_label, pair_id, pmid, in_text_mention, ...}} (50 figures; reference
 * notes §6.2), looked up by {@code pair_id}. Each figure must appear once.
 */
public final class FigureCaptions {
    private final Map<String, FigureCaption> byPairId;

    private FigureCaptions(Map<String, FigureCaption> byPairId) {
        this.byPairId = Collections.unmodifiableMap(byPairId);
    }

    public static FigureCaptions read(Path file) {
        JsonElement root = Json.parseFile(file);
        if (!root.isJsonObject()) {
            throw new DataFileException(file, "expected a JSON object keyed by domain");
        }
        Map<String, FigureCaption> byPairId = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> domain : root.getAsJsonObject().entrySet()) {
            if (!domain.getValue().isJsonArray()) {
                throw new DataFileException(file, "\"" + domain.getKey() + "\" must be a list of figures");
            }
            List<JsonElement> figures = domain.getValue().getAsJsonArray().asList();
            for (int i = 0; i < figures.size(); i++) {
                String where = domain.getKey() + "[" + i + "]";
                FigureCaption fig = figure(file, where, domain.getKey(), Json.object(file, where, figures.get(i)));
                FigureCaption previous = byPairId.putIfAbsent(fig.pairId(), fig);
                if (previous != null) {
                    throw new DataFileException(file, where + ": duplicate pair_id " + fig.pairId()
                            + " (also under " + previous.domain() + ")");
                }
            }
        }
        return new FigureCaptions(byPairId);
    }

    private static FigureCaption figure(Path file, String where, String domain, JsonObject o) {
        if (!o.has("in_text_mention")) {
            throw new DataFileException(file, where + ": missing \"in_text_mention\" (a list or null)");
        }
        return new FigureCaption(domain, Json.string(file, where, o, "pair_id"), Json.id(file, where, o, "pmid"),
                Json.id(file, where, o, "fig_id"), Json.string(file, where, o, "fig_label"),
                Json.string(file, where, o, "fig_caption"), PythonRepr.of(o.get("in_text_mention")));
    }

    /** The figure with this {@code pair_id} (e.g. {@code 18063892_F3}). */
    public Optional<FigureCaption> byPairId(String pairId) {
        return Optional.ofNullable(byPairId.get(pairId));
    }

    /** All figures in file order. */
    public List<FigureCaption> all() {
        return List.copyOf(byPairId.values());
    }

    /** The figures filed under one domain key, in file order. */
    public List<FigureCaption> inDomain(String domain) {
        List<FigureCaption> figures = new ArrayList<>();
        for (FigureCaption fig : byPairId.values()) {
            if (fig.domain().equals(domain)) {
                figures.add(fig);
            }
        }
        return figures;
    }

    public int size() {
        return byPairId.size();
    }
}
