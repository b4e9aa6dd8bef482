package org.medv.cli;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A progress line with rate and ETA on stderr, for work that takes long enough to wonder about (writing a dataset,
 * loading a model, running a benchmark). Shown when stderr is a terminal (redrawn in place) or when
 * {@code --progress} asks for it (then one line every few seconds, for log files); never on stdout, so JSON output
 * stays clean. Counts come in pushed ({@link #advance}, {@link #update}) or polled ({@link #poll}).
 */
final class Progress implements AutoCloseable {
    /** Redraws on a terminal at most this often. */
    static final long TERMINAL_REDRAW_NANOS = 100_000_000L;
    /** Without a terminal, one line this often at most (plus the first and the last). */
    static final long LOG_LINE_NANOS = 5_000_000_000L;
    private static final int WIDTH = 30;

    /** {@code --progress}: the mixin of the commands that show progress. */
    static final class Flag {
        @Option(names = "--progress",
                description = "report progress with an ETA on stderr (default: only when stderr is a terminal)")
        boolean always;

        /** A progress line on {@code err} if it is a terminal or --progress was given, else a silent one. */
        Progress start(PrintWriter err, String label, long total, String unit) {
            boolean terminal = stderrIsTerminal();
            return new Progress(terminal || always ? err : null, terminal, label, total, unit, System::nanoTime);
        }

        /** ./medv says whether stderr is a terminal ({@code [ -t 2 ]}); plain java can only ask about stdout. */
        private static boolean stderrIsTerminal() {
            String launcher = System.getProperty("medv.stderr.tty");
            return launcher != null ? Boolean.parseBoolean(launcher) : System.console() != null;
        }
    }

    private final PrintWriter err;
    private final boolean terminal;
    private final String label;
    private long total;
    private final String unit;
    private final LongSupplier clock;
    private final long start;
    private long done;
    private long lastDraw;
    private ScheduledExecutorService poller;
    private LongSupplier polled;

    /** {@code err} null: a progress that shows nothing. */
    Progress(PrintWriter err, boolean terminal, String label, long total, String unit, LongSupplier clock) {
        this.err = err;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.clock = clock;
        this.start = clock.getAsLong();
        if (err != null) {
            draw(start, false);
        }
    }

    synchronized void advance() {
        update(done + 1);
    }

    /** {@code value} units of the total are done. */
    synchronized void update(long value) {
        update(value, total);
    }

    /** {@code value} units of {@code newTotal} are done (for a total known only once the work has begun). */
    synchronized void update(long value, long newTotal) {
        done = value;
        total = newTotal;
        long now = clock.getAsLong();
        if (err != null && now - lastDraw >= (terminal ? TERMINAL_REDRAW_NANOS : LOG_LINE_NANOS)) {
            draw(now, false);
        }
    }

    /** Reads the count from {@code source} every {@code millis} until {@link #close}. */
    Progress poll(LongSupplier source, long millis) {
        if (err != null) {
            polled = source;
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "medv-progress");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleAtFixedRate(() -> update(source.getAsLong()), millis, millis, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Stops polling and prints the final line (count, rate and the time it took). */
    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
            try {
                poller.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (polled != null) {
                done = polled.getAsLong();
            }
            if (err != null) {
                draw(clock.getAsLong(), true);
                if (terminal) {
                    err.println();
                    err.flush();
                }
            }
        }
    }

    private void draw(long now, boolean last) {
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        boolean known = total > 0;
        int filled = known ? (int) (WIDTH * Math.min(done, total) / total) : 0;
        String line = String.format(Locale.ROOT, "%s [%s%s] %d/%s %s  %.1f %s/s  %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, known ? Long.toString(total) : "?", unit, rate, unit,
                last ? "in " + duration(Math.round(secs))
                        : "ETA " + (known && rate > 0 ? duration(Math.round((total - done) / rate)) : "?"));
        if (terminal) {
            err.print("\r\033[K" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
