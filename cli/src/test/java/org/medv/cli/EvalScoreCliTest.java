package org.medv.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medv eval score}: one JSON object or a table on stdout; bad files are exit code 2 naming file and line. */
class EvalScoreCliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result medv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String item(int id, String type, String answer) {
        return "{\"id\": " + id + ", \"image\": \"img.jpg\", \"answer_type\": \"" + type + "\", \"conversatons\": "
                + "[{\"from\": \"human\", \"value\": \"<image>\\nQuestion?\"}, {\"from\": \"gpt\", \"value\": \""
                + answer + "\"}]}";
    }

    private Path groundTruth() throws IOException {
        return Files.writeString(dir.resolve("test.json"), "[" + item(1, "CLOSED", "no") + ", "
                + item(2, "CLOSED", "yes") + ", " + item(3, "OPEN", "left lung") + "]");
    }

    private Path predictions(String... lines) throws IOException {
        return Files.writeString(dir.resolve("answers.jsonl"), String.join("\n", lines) + "\n");
    }

    private Path goodPredictions() throws IOException {
        return predictions("{\"question_id\": 3, \"text\": \"The left upper lung.\"}",
                "{\"question_id\": 1, \"text\": \"Normal.\"}", "{\"question_id\": 2, \"text\": \"Yes\"}");
    }

    @Test
    void jsonIsExactlyOneObjectInPercent() throws IOException {
        Result r = medv("eval", "score", "--ground-truth", groundTruth().toString(), "--predictions",
                goodPredictions().toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, json.getAsJsonObject("closed").get("n").getAsInt());
        assertEquals(100.0, json.getAsJsonObject("closed").get("accuracy").getAsDouble()); // "no" in "normal"
        JsonObject open = json.getAsJsonObject("open");
        assertEquals(1, open.get("n").getAsInt());
        assertEquals(100.0, open.get("recall").getAsDouble());
        assertEquals(2.0 / 3 * 100, open.get("precision").getAsDouble());
        assertEquals(0.8 * 100, open.get("f1").getAsDouble(), 1e-12);
        assertEquals(2.0 / 3 * 100, open.get("exact_match").getAsDouble());
        assertEquals(2, json.keySet().size());
        assertEquals(5, open.keySet().size());
    }

    @Test
    void textTableAndTheYesNoRule() throws IOException {
        Path preds = predictions("{\"question_id\": 1, \"text\": \"it is normal\"}",
                "{\"question_id\": 2, \"text\": \"left\"}", "{\"question_id\": 3, \"text\": \"lung\"}");
        Result r = medv("eval", "score", "--ground-truth", groundTruth().toString(), "--predictions",
                preds.toString(), "--closed-rule", "yes_no");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("closed accuracy                2      50.00"), r.out());
        assertTrue(r.out().contains("open recall                    1      50.00"), r.out());
        assertTrue(r.out().contains("closed rule: yes_no"), r.out());
    }

    @Test
    void badFilesAreExitCode2WithFileAndLine() throws IOException {
        Path gt = groundTruth();
        Path malformed = predictions("{\"question_id\": 1, \"text\": \"no\"}", "{\"question_id\": 2, \"text\": ");
        invalid("predictions", malformed + ": line 2: malformed JSON", "--ground-truth", gt.toString(),
                "--predictions", malformed.toString());
        Path missing = predictions("{\"question_id\": 1, \"text\": \"no\"}", "{\"question_id\": 9, \"text\": \"no\"}");
        invalid("predictions", "2 question(s) without a prediction: 2, 3", "--ground-truth", gt.toString(),
                "--predictions", missing.toString(), "--format", "json");
        Path badGt = Files.writeString(dir.resolve("bad.json"), "[" + item(1, "CLOSED", "no") + ", "
                + item(2, "MAYBE", "yes") + "]");
        invalid("ground_truth", badGt + ": entry 1 (id 2): answer_type must be OPEN or CLOSED", "--ground-truth",
                badGt.toString(), "--predictions", missing.toString());
        invalid("closed_rule", "substring or yes_no", "--ground-truth", gt.toString(), "--predictions",
                missing.toString(), "--closed-rule", "exact");
        invalid("format", "text or json", "--ground-truth", gt.toString(), "--predictions", missing.toString(),
                "--format", "yaml");
    }

    private static void invalid(String field, String fragment, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "eval";
        all[1] = "score";
        System.arraycopy(args, 0, all, 2, args.length);
        Result r = medv(all);
        assertEquals(Main.EXIT_INVALID, r.code(), r.err());
        assertTrue(r.err().contains("medv: invalid " + field + ": "), r.err());
        assertTrue(r.err().contains(fragment), r.err());
        assertEquals("", r.out());
    }
}
