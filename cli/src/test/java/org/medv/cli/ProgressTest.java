package org.medv.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line on a scripted clock; model loading with --progress keeps the JSON on stdout clean. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong();
    private final StringWriter text = new StringWriter();

    private Progress progress(boolean terminal, long total) {
        return new Progress(new PrintWriter(text), terminal, "synth", total, "images", now::get);
    }

    @Test
    void withoutTerminalOneLineEveryFewSecondsThenTheTotal() {
        try (Progress p = progress(false, 10)) {
            now.set(SECOND);
            p.update(2); // within LOG_LINE_NANOS of the first line: not printed
            now.set(5 * SECOND);
            p.update(5);
            now.set(8 * SECOND);
            p.update(10);
        }
        assertEquals("""
                synth [..............................] 0/10 images  0.0 images/s  ETA ?
                synth [###############...............] 5/10 images  1.0 images/s  ETA 5 s
                synth [##############################] 10/10 images  1.3 images/s  in 8 s
                """, text.toString());
    }

    @Test
    void onATerminalRedrawsInPlaceAtMostTenTimesASecond() {
        try (Progress p = progress(true, 4)) {
            now.set(SECOND / 20);
            p.advance(); // 50 ms after the last draw: skipped
            now.set(2 * SECOND);
            p.advance();
        }
        String clear = "\r\033[K";
        assertEquals(clear + "synth [..............................] 0/4 images  0.0 images/s  ETA ?"
                + clear + "synth [###############...............] 2/4 images  1.0 images/s  ETA 2 s"
                + clear + "synth [###############...............] 2/4 images  1.0 images/s  in 2 s\n", text.toString());
    }

    @Test
    void aTotalLearnedOnceTheWorkHasBegun() {
        try (Progress p = new Progress(new PrintWriter(text), false, "loading model", 0, "MiB", now::get)) {
            now.set(10 * SECOND);
            p.update(300, 1200);
        }
        assertEquals("""
                loading model [..............................] 0/? MiB  0.0 MiB/s  ETA ?
                loading model [#######.......................] 300/1200 MiB  30.0 MiB/s  ETA 30 s
                loading model [#######.......................] 300/1200 MiB  30.0 MiB/s  in 10 s
                """, text.toString());
    }

    @Test
    void silentWithoutATerminalOrTheFlag() {
        try (Progress p = new Progress.Flag().start(new PrintWriter(text), "synth", 3, "images")) {
            p.advance();
        }
        assertEquals("", text.toString());
    }

    @Test
    void durations() {
        assertEquals("59 s", Progress.duration(59));
        assertEquals("2 min 5 s", Progress.duration(125));
        assertEquals("1 h 2 min", Progress.duration(3725));
    }

    @Test
    void modelLoadingProgressGoesToStderrAndTheJsonStaysAlone() {
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("generate", "--model",
                GenerateGoldenCliTest.GOLDEN.resolve("tiny-llada-medv/model").toString(), "--prompt-ids",
                "126080,126346,3840,126347,198,198", "--gen-length", "4", "--block-length", "4", "--steps", "4",
                "--forbid-ids", "none", "--stop-ids", "none", "--format", "json", "--progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.json().getAsJsonArray("output_ids").size(), r.out());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.matches("loading model \\[#{30}] (\\d+)/\\1 MiB  [0-9.]+ MiB/s  in \\d+ s"),
                "every tensor of the checkpoint loaded: " + r.err());
    }
}
