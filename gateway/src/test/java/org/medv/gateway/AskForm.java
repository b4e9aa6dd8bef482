package org.medv.gateway;

import org.quicktheories.core.RandomnessSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.medv.gateway.HostileBodies.Case;
import static org.medv.gateway.HostileBodies.pick;
import static org.medv.gateway.HostileBodies.word;

/**
 * {@code POST /v1/ask} multipart bodies: a valid form (options, then the question last) with one defect first: an
 * unknown field, a field given twice, a text field sent as a file, an image sent as text, a bad option value, or a
 * broken structure (cut before its closing boundary, or a boundary the Content-Type does not name), which is
 * refused as a whole ({@code field} null: any field may be named).
 */
final class AskForm {
    private static final String CRLF = "\r\n";
    private static final Set<String> KNOWN = Set.of("image", "question", "stop", "gen_length", "block_length",
            "steps", "temperature", "seed", "cfg_scale", "remasking", "forbid_ids", "no_stop", "cache", "threshold",
            "refresh_every");

    private record Part(String name, String value, boolean file) {
    }

    private AskForm() {
    }

    static Case generate(RandomnessSource in) {
        String boundary = word(in, "abcdefghijklmnopqrstuvwxyz0123456789-_", 1, 40);
        List<Part> parts = new ArrayList<>(List.of(new Part("gen_length", "8", false),
                new Part("block_length", "8", false), new Part("steps", "4", false)));
        String field;
        String what;
        switch (pick(in, 6)) {
            case 0 -> {
                field = HostileBodies.unknownKey(in, KNOWN, HostileBodies.formNameChars());
                parts.add(0, new Part(field, word(in, "xyz01", 0, 8), pick(in, 2) == 0));
                what = "unknown field";
            }
            case 1 -> {
                field = HostileBodies.formNames().get(pick(in, 4));
                parts.add(0, new Part(field, field.equals("question") ? "again?" : "8", false));
                parts.add(new Part("question", HostileBodies.question(in), false));
                what = "field given twice";
            }
            case 2 -> {
                field = HostileBodies.formNames().get(pick(in, 4));
                parts.removeIf(p -> p.name().equals(field));
                parts.add(0, new Part(field, "8", true));
                what = "text field as a file";
            }
            case 3 -> {
                field = "image";
                parts.add(0, new Part("image", "iVBORw0KGgo=", false));
                what = "image as a text field";
            }
            case 4 -> {
                field = "steps";
                parts.removeIf(p -> p.name().equals(field));
                parts.add(0, new Part(field, word(in, "abc.-", 1, 6), false));
                what = "bad option value";
            }
            default -> {
                parts.add(new Part("question", HostileBodies.question(in), false));
                String body = body(boundary, parts);
                if (pick(in, 2) == 0) {
                    return new Case("cut before its closing boundary", HostileBodies.utf8(body.substring(0,
                            pick(in, body.length()))), type(boundary), null);
                }
                return new Case("a boundary the header does not name", HostileBodies.utf8(body),
                        type(boundary + "x"), null);
            }
        }
        if (parts.stream().noneMatch(p -> p.name().equals("question"))) {
            parts.add(new Part("question", HostileBodies.question(in), false));
        }
        return new Case(what, HostileBodies.utf8(body(boundary, parts)), type(boundary), field);
    }

    private static String type(String boundary) {
        return "multipart/form-data; boundary=" + boundary;
    }

    private static String body(String boundary, List<Part> parts) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            b.append("--").append(boundary).append(CRLF).append("Content-Disposition: form-data; name=\"")
                    .append(p.name()).append('"');
            if (p.file()) {
                b.append("; filename=\"f.txt\"").append(CRLF).append("Content-Type: text/plain");
            }
            b.append(CRLF).append(CRLF).append(p.value()).append(CRLF);
        }
        return b.append("--").append(boundary).append("--").toString();
    }
}
