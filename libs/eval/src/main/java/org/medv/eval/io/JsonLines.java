package org.medv.eval.io;

import com.google.gson.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL file as the LLaVA-Med scripts load it ({@code [json.loads(line) for line in f]}): one JSON object per
 * line, UTF-8. Whitespace-only lines are skipped (they hold no question; upstream would crash on them); any other
 * line that is not a JSON object is an error naming its 1-based line number.
 */
final class JsonLines {

    /** One parsed line and where it came from. */
    record Line(int number, JsonObject object) {
        String where() {
            return "line " + number;
        }
    }

    private JsonLines() {
    }

    static List<Line> read(Path file) {
        List<Line> lines = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                String where = "line " + number;
                lines.add(new Line(number, Json.object(file, where, Json.parse(file, where, text))));
            }
        } catch (IOException e) {
            throw new DataFileException(file, "cannot read: " + e.getMessage(), e);
        }
        return lines;
    }
}
