package org.medv.evaluator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The evaluator's one consumer thread ({@code medv-evaluator}), which never gives up: it runs a
 * {@link ScoringSession} (the first one rebuilds the store from {@code medv.scores}, then readiness turns UP), and
 * when a session fails (broker unreachable, a score not acknowledged, a commit refused, anything the judge or a
 * record throws at it) it closes that session's clients, waits (1 s doubling to 30 s, back to 1 s after a minute of
 * work) and starts a new one; the answers since the last commit come again and are recognised. The thread beats at
 * every turn; {@link #alive} is false once it has died (an Error) or stopped beating (stuck), which the liveness
 * check reports, so that a supervisor restarts the process.
 */
final class ScoringLoop {
    private static final Logger LOG = Logger.getLogger(ScoringLoop.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** A session that worked this long resets the backoff. */
    private static final Duration STABLE = Duration.ofMinutes(1);

    private final Map<String, Object> kafka;
    private final ScoringSession.Settings settings;
    private final ScoreStore store;
    private final Supplier<AnswerScorer> scorers;
    private final MeterRegistry registry;
    private final Tracer tracer;
    private final Counter restarts;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile String failure;
    private volatile long lastBeatNanos = System.nanoTime();
    private volatile ScoringSession session;

    ScoringLoop(Map<String, Object> kafka, ScoringSession.Settings settings, ScoreStore store,
                Supplier<AnswerScorer> scorers, MeterRegistry registry) {
        this(kafka, settings, store, scorers, registry, OpenTelemetry.noop().getTracer("medv-evaluator"));
    }

    /** @param tracer makes the scoring spans (each the child of its answer record's traceparent header) */
    ScoringLoop(Map<String, Object> kafka, ScoringSession.Settings settings, ScoreStore store,
                Supplier<AnswerScorer> scorers, MeterRegistry registry, Tracer tracer) {
        this.tracer = tracer;
        this.kafka = kafka;
        this.settings = settings;
        this.store = store;
        this.scorers = scorers;
        this.registry = registry;
        this.restarts = registry.counter("medv.evaluator.restarts");
        this.thread = new Thread(this::run, "medv-evaluator");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the thread: the current poll's answers stay uncommitted and come again at the next start. */
    void stop() throws InterruptedException {
        running = false;
        ScoringSession s = session;
        if (s != null) {
            s.wakeup();
        }
        thread.interrupt();
        thread.join(10_000);
    }

    /** UP once the scores are rebuilt and while a session consumes. */
    boolean ready() {
        return ready && thread.isAlive();
    }

    /** Why the last session failed, while the loop waits to start the next one; null otherwise. */
    String failure() {
        return failure;
    }

    /** The thread runs and has beaten within {@code stuckAfter}. */
    boolean alive(Duration stuckAfter) {
        return thread.isAlive() && System.nanoTime() - lastBeatNanos < stuckAfter.toNanos();
    }

    private void run() {
        AnswerScorer scorer = scorers.get();
        int failures = 0;
        boolean rebuilt = false;
        while (running) {
            long started = System.nanoTime();
            try (ScoringSession s = new ScoringSession(kafka, settings, store, scorer, registry, tracer, this::beat)) {
                session = s;
                if (!rebuilt) {
                    s.provisionScoresTopic();
                    s.rebuild();
                    rebuilt = true;
                }
                ready = true;
                failure = null;
                s.consume(() -> running);
            } catch (WakeupException | InterruptedException e) {
                // stopping
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                ready = false;
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                failures = System.nanoTime() - started > STABLE.toNanos() ? 1 : failures + 1;
                long delayMs = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 10));
                restarts.increment();
                LOG.errorf("evaluator session failed (%s); a new one starts in %d ms (failure %d in a row)",
                        failure, delayMs, failures);
                pause(delayMs);
            } finally {
                session = null;
            }
        }
    }

    /** Waits {@code ms} in slices, beating, so that a long backoff is not taken for a stuck loop. */
    private void pause(long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running && System.nanoTime() < until) {
            beat();
            try {
                Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void beat() {
        lastBeatNanos = System.nanoTime();
    }
}
