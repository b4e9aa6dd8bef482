package org.medv.cli.stack;

import org.medv.serving.Backoff;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A child process that is started again whenever it ends without being asked to (it exited, was killed with -9,
 * or its liveness check stayed DOWN and the supervisor killed it), after a backoff: {@code firstDelay} doubling to
 * {@code maxDelay}, back to {@code firstDelay} once a run lasted {@code stableAfter}. Each restart is reported
 * ({@code denoiser-service exited (code 137); restarting in 1 s (restart 1)}). {@link #close} stops it for good:
 * no restart follows.
 */
public final class SupervisedProcess implements AutoCloseable {

    /**
     * @param probeEvery    how often the liveness URL (if any) is asked
     * @param probeFailures failed answers in a row, after it once answered UP, that make the supervisor kill it
     */
    public record Policy(Duration firstDelay, Duration maxDelay, Duration stableAfter, Duration probeEvery,
                         int probeFailures) {
        public static final Policy DEFAULT = new Policy(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofSeconds(10), 3);
    }

    private final String name;
    private final Supplier<ManagedProcess> starter;
    private final String livenessUrl;
    private final Policy policy;
    private final Consumer<String> report;
    private final Backoff backoff;
    private final Object stop = new Object();
    private final HttpClient http;
    private volatile ManagedProcess current;
    private volatile boolean stopping;
    private Thread watcher;
    private int restarts;
    /** When the last start was attempted: a run that lasted stableAfter from there resets the backoff. */
    private volatile long lastStartNanos = System.nanoTime();

    /**
     * Starts the process once ({@code starter} launches it and may wait for it, e.g. for a port).
     *
     * @param livenessUrl an HTTP URL that answers 200 while the process is healthy, or null
     * @param report      where restarts are told (a line each)
     */
    public SupervisedProcess(String name, Supplier<ManagedProcess> starter, String livenessUrl, Policy policy,
                             Consumer<String> report) {
        this(name, starter, livenessUrl, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), policy,
                report);
    }

    /** With the client that probes {@code livenessUrl} (e.g. one that trusts the gateway's HTTPS certificate). */
    public SupervisedProcess(String name, Supplier<ManagedProcess> starter, String livenessUrl, HttpClient http,
                             Policy policy, Consumer<String> report) {
        this.http = http;
        this.name = name;
        this.starter = starter;
        this.livenessUrl = livenessUrl;
        this.policy = policy;
        this.report = report;
        this.backoff = new Backoff(policy.firstDelay(), policy.maxDelay());
        this.current = starter.get();
    }

    /** The process now running (another one after a restart). */
    public ManagedProcess current() {
        return current;
    }

    public String name() {
        return name;
    }

    /** Restarts so far. */
    public synchronized int restarts() {
        return restarts;
    }

    /** From now on, an end that was not asked for is followed by a restart. */
    public synchronized SupervisedProcess supervise() {
        if (watcher == null && !stopping) {
            watcher = new Thread(this::watch, "medv-supervise-" + name);
            watcher.setDaemon(true);
            watcher.start();
        }
        return this;
    }

    private void watch() {
        while (!stopping) {
            ManagedProcess p = current;
            String why;
            try {
                why = awaitEnd(p);
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) {
                return;
            }
            if (System.nanoTime() - lastStartNanos >= policy.stableAfter().toNanos()) {
                backoff.reset();
            }
            Duration delay = backoff.next();
            int n;
            synchronized (this) {
                n = ++restarts;
            }
            report.accept(name + " " + why + "; restarting in " + format(delay) + " (restart " + n + ")");
            if (!waitUnlessStopping(delay)) {
                return;
            }
            try {
                lastStartNanos = System.nanoTime();
                current = starter.get();
                if (stopping) {
                    current.close(); // closed while it started
                    return;
                }
                report.accept(name + " restarted (pid " + current.pid() + "); log " + current.log());
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                report.accept(name + " did not start: " + e.getMessage());
                // current is the ended process: the next turn sees it ended and backs off further
            }
        }
    }

    /** Waits until {@code p} ends, probing its liveness meanwhile; says how it ended. */
    private String awaitEnd(ManagedProcess p) throws InterruptedException {
        boolean wasUp = false;
        int failures = 0;
        while (!p.waitFor(livenessUrl == null ? Duration.ofDays(1) : policy.probeEvery())) {
            if (stopping) {
                return "stopped";
            }
            if (probe()) {
                wasUp = true;
                failures = 0;
            } else if (wasUp && ++failures >= policy.probeFailures()) {
                p.kill();
                p.waitFor(Duration.ofSeconds(30));
                return "liveness DOWN " + failures + " times in a row; killed";
            }
        }
        return "exited (code " + p.exitCode() + ")";
    }

    private boolean probe() throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(livenessUrl)).timeout(Duration.ofSeconds(5)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** False when {@link #close} was called meanwhile. */
    private boolean waitUnlessStopping(Duration delay) {
        long until = System.nanoTime() + delay.toNanos();
        synchronized (stop) {
            while (!stopping) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    stop.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return false;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** No more restarts from now on (the process keeps running until {@link #close}). */
    public void stopSupervising() {
        stopping = true;
        synchronized (stop) {
            stop.notifyAll();
        }
    }

    /**
     * Starts the process again now, after it ended while not supervised ({@link #stopSupervising}): for a caller that
     * decides itself when a stopped service comes back (a test that keeps a replica down for a while).
     */
    public synchronized void startAgain() {
        if (current.alive()) {
            throw new IllegalStateException(name + " is still running (pid " + current.pid() + ")");
        }
        current = starter.get();
        report.accept(name + " started again (pid " + current.pid() + "); log " + current.log());
    }

    /** Stops supervising, then the process (SIGTERM, SIGKILL after 15 s). */
    @Override
    public void close() {
        stopSupervising();
        Thread w;
        synchronized (this) {
            w = watcher;
        }
        current.close();
        if (w != null) {
            w.interrupt();
            try {
                w.join(90_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        current.close(); // one the watcher started meanwhile
    }
}
