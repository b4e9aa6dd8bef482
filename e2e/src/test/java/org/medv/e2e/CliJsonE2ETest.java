package org.medv.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --format json} of the commands that talk to a running medv: {@code ask} gives the answer {@code generate}
 * gives in-process, under the same names; {@code bench stream} reports the levels it measured.
 */
class CliJsonE2ETest {

    /** Runs the CLI; exactly one line of JSON on stdout. */
    private static JsonObject medv(String... args) {
        Commands.Result r = Commands.medv(args);
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), "one JSON object on stdout: " + r.out());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    /** {@code bench stream} against the test stack's gateway 0: 2 requests per client of 8 tokens in 8 steps. */
    private static JsonObject benchStream(String clients, int warmup) {
        Stack.get();
        return medv("bench", "stream", "--port", Integer.toString(Stack.grpc(0)), "--clients", clients,
                "--requests", "2", "--gen-length", "8", "--block-length", "8", "--steps", "8", "--warmup",
                Integer.toString(warmup), "--format", "json");
    }

    @Test
    void askPrintsTheAnswerGenerateGives() throws Exception {
        Stack stack = Stack.get();
        Path image = Files.write(Files.createTempFile("e2e-ask", ".png"), Clients.png(64, 48, 3));
        String question = "Which side are the lesions on?";
        String[] sampling = {"--gen-length", "16", "--block-length", "8", "--steps", "16"};
        JsonObject asked = medv(concat(new String[] {"ask", "--image", image.toString(), question, "--port",
            Integer.toString(Stack.grpc(1)), "--format", "json"}, sampling));
        JsonObject generated = medv(concat(new String[] {"generate", "--model", stack.modelDir.toString(), "--image",
            image.toString(), "--question", question, "--format", "json"}, sampling));
        for (String key : new String[] {"output_ids", "text", "finish_reason", "steps"}) {
            assertEquals(generated.get(key), asked.get(key), key);
        }
        assertFalse(asked.get("request_id").getAsString().isEmpty());
        JsonObject timing = asked.getAsJsonObject("timing");
        assertTrue(timing.get("total_ms").getAsLong() >= timing.get("generate_ms").getAsLong(), timing.toString());
        assertEquals((double) timing.get("generate_ms").getAsLong() / asked.get("steps").getAsInt(),
                timing.get("ms_per_step").getAsDouble());
        assertFalse(asked.has("error"));
    }

    @Test
    void benchStreamReportsEachLevel() {
        JsonObject o = benchStream("1", 2);
        assertEquals(8, o.get("gen_length").getAsInt());
        assertEquals(2, o.get("warmup").getAsInt());
        // the in-process baseline runs on as many PyTorch threads as `up` gives the denoiser
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                o.get("in_process_threads").getAsInt());
        assertTrue(o.get("in_process_ms").getAsDouble() > 0, o.toString());
        // with a one-client level, each of its stack requests follows an in-process run of the same request
        assertEquals(2, o.get("in_process_runs").getAsInt());
        assertTrue(o.get("stack_over_in_process_paired").getAsDouble() > 0, o.toString());
        assertEquals(8, o.get("block_length").getAsInt());
        assertEquals(8, o.get("steps").getAsInt());
        assertEquals(2, o.get("requests_per_client").getAsInt());
        assertFalse(o.get("started_stack").getAsBoolean(), "the test stack was listening");
        assertEquals(1, o.getAsJsonArray("levels").size());
        JsonObject level = o.getAsJsonArray("levels").get(0).getAsJsonObject();
        assertEquals(1, level.get("clients").getAsInt());
        assertEquals(2, level.get("requests").getAsInt());
        assertEquals(0, level.get("rejected").getAsInt());
        JsonObject first = level.getAsJsonObject("first_event_ms");
        JsonObject last = level.getAsJsonObject("final_event_ms");
        assertTrue(first.get("p50").getAsLong() <= last.get("p50").getAsLong(), level.toString());
        assertTrue(first.get("p50").getAsLong() <= first.get("p99").getAsLong(), level.toString());
        assertTrue(level.get("events_per_s").getAsDouble() > 0, level.toString());
    }

    @Test
    void benchStreamTimesTheBaselineWithoutAOneClientLevel() {
        JsonObject o = benchStream("2", 1);
        // nothing to pair with: the in-process runs come after the levels, as many as --requests
        assertEquals(2, o.get("in_process_runs").getAsInt());
        assertTrue(o.get("in_process_ms").getAsDouble() > 0, o.toString());
        assertFalse(o.has("stack_over_in_process_paired"), o.toString());
        assertFalse(o.has("stack_over_in_process"), "no one-client level to compare: " + o);
        assertEquals(2, o.getAsJsonArray("levels").get(0).getAsJsonObject().get("clients").getAsInt());
        assertEquals(4, o.getAsJsonArray("levels").get(0).getAsJsonObject().get("requests").getAsInt());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
