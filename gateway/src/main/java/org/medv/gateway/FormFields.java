package org.medv.gateway;

import org.jboss.resteasy.reactive.server.multipart.FileItem;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.medv.model.InvalidRequestException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parts of a {@code POST /v1/ask} multipart form, checked as strictly as the JSON body: an unknown field, a
 * field given twice (only {@code stop} repeats), a text field sent as a file or an image sent as text is refused,
 * naming the field.
 */
final class FormFields {
    /** The sampler options, as the JSON body's {@code options} names them. */
    static final List<String> OPTIONS = List.of("gen_length", "block_length", "steps", "temperature", "seed",
            "cfg_scale", "remasking", "forbid_ids", "no_stop", "cache", "threshold", "refresh_every");
    private static final Set<String> KNOWN = new TreeSet<>(OPTIONS);

    static {
        KNOWN.addAll(List.of("image", "question", "stop"));
    }

    private final Map<String, Collection<FormValue>> parts;

    private FormFields(Map<String, Collection<FormValue>> parts) {
        this.parts = parts;
    }

    static FormFields of(Map<String, Collection<FormValue>> parts) {
        for (Map.Entry<String, Collection<FormValue>> p : parts.entrySet()) {
            String name = p.getKey();
            if (name == null || name.isEmpty()) {
                throw new InvalidRequestException("body", "a form part has no name (Content-Disposition: form-data; "
                        + "name=\"...\")");
            }
            if (!KNOWN.contains(name)) {
                String shown = HttpRequests.shown(name);
                throw new InvalidRequestException(shown, "unknown form field '" + shown + "'; known: "
                        + String.join(", ", KNOWN));
            }
            if (p.getValue().size() > 1 && !name.equals("stop")) {
                throw new InvalidRequestException(name, name + " was given " + p.getValue().size()
                        + " times; give it once (only stop repeats)");
            }
            for (FormValue v : p.getValue()) {
                if (name.equals("image") ? !v.isFileItem() && v.getValue() != null && !v.getValue().isEmpty()
                        : v.isFileItem()) {
                    throw new InvalidRequestException(name, name.equals("image")
                            ? "image must be a file part (filename=...), not a text field"
                            : name + " must be a text field, not a file part");
                }
            }
        }
        return new FormFields(parts);
    }

    /** A text field's value, or null when absent. */
    String text(String name) {
        Collection<FormValue> v = parts.get(name);
        return v == null || v.isEmpty() ? null : v.iterator().next().getValue();
    }

    /** A repeatable text field's values (empty when absent). */
    List<String> texts(String name) {
        Collection<FormValue> v = parts.get(name);
        return v == null ? List.of() : v.stream().map(FormValue::getValue).toList();
    }

    /** A file part, or null when absent or sent as an empty text field. */
    FileItem file(String name) {
        Collection<FormValue> v = parts.get(name);
        if (v == null || v.isEmpty() || !v.iterator().next().isFileItem()) {
            return null;
        }
        return v.iterator().next().getFileItem();
    }
}
