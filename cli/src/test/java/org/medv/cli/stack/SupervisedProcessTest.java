package org.medv.cli.stack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervisor with a real child JVM ({@link Sleeper}) that the test kills: every wait is on an event (a line
 * in the child's log, a report, the child's exit) with a generous deadline, never a fixed sleep.
 */
class SupervisedProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Short delays, no reset (a run would have to last a minute), no liveness probing. */
    private static final SupervisedProcess.Policy FAST = new SupervisedProcess.Policy(Duration.ofMillis(200),
            Duration.ofMillis(400), Duration.ofMinutes(1), Duration.ofMillis(100), 3);

    @TempDir
    Path dir;
    private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
    private final List<SupervisedProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(SupervisedProcess::close);
    }

    @Test
    void aKilledChildIsRestartedWithBackoffAndEachRestartIsReported() throws Exception {
        SupervisedProcess p = supervise(null, FAST);
        long first = p.current().pid();
        awaitUpLines(1);

        kill9(p);
        assertEquals("sleeper exited (code 137); restarting in 200 ms (restart 1)", nextReport());
        assertTrue(nextReport().startsWith("sleeper restarted (pid "));
        awaitUpLines(2);
        assertNotEquals(first, p.current().pid());
        assertTrue(p.current().alive());

        kill9(p);
        assertEquals("sleeper exited (code 137); restarting in 400 ms (restart 2)", nextReport());
        nextReport();
        awaitUpLines(3);
        kill9(p);
        assertEquals("sleeper exited (code 137); restarting in 400 ms (restart 3)", nextReport(), "capped");
        nextReport();
        awaitUpLines(4);
        assertEquals(3, p.restarts());
    }

    @Test
    void aChildThatExitsByItselfIsRestartedAndCloseStopsItForGood() throws Exception {
        SupervisedProcess p = supervise(null, FAST, dir.resolve("crashed-once").toString(), "3");
        assertEquals("sleeper exited (code 3); restarting in 200 ms (restart 1)", nextReport());
        assertTrue(nextReport().startsWith("sleeper restarted"));
        awaitUpLines(2);
        ManagedProcess last = p.current();

        p.close();
        assertFalse(last.alive());
        assertTrue(reports.isEmpty(), "no restart after close: " + reports);
        assertEquals(1, p.restarts());
    }

    @Test
    void anUnsupervisedChildStaysDownUntilStartedAgain() throws Exception {
        SupervisedProcess p = supervise(null, FAST);
        awaitUpLines(1);
        ManagedProcess first = p.current();
        IllegalStateException running = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                p::startAgain);
        assertTrue(running.getMessage().startsWith("sleeper is still running"), running.getMessage());

        p.stopSupervising();
        kill9(p);
        assertTrue(first.waitFor(WAIT));
        assertFalse(p.current().alive());
        p.startAgain();
        assertTrue(nextReport().startsWith("sleeper started again (pid "));
        awaitUpLines(2);
        assertTrue(p.current().alive());
        assertTrue(reports.isEmpty(), "no restart by the supervisor: " + reports);
        assertEquals(0, p.restarts());
    }

    @Test
    void aRunThatLastedStableAfterStartsTheBackoffOver() throws Exception {
        SupervisedProcess.Policy resetting = new SupervisedProcess.Policy(Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofNanos(1), Duration.ofMillis(100), 3);
        SupervisedProcess p = supervise(null, resetting);
        for (int i = 1; i <= 2; i++) {
            awaitUpLines(i);
            kill9(p);
            assertEquals("sleeper exited (code 137); restarting in 200 ms (restart " + i + ")", nextReport());
            nextReport();
        }
    }

    @Test
    void aChildWhoseLivenessStaysDownIsKilledAndRestarted() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger probes = new AtomicInteger();
        HttpServer health = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        health.createContext("/q/health/live", exchange -> {
            probes.incrementAndGet();
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        health.start();
        try {
            SupervisedProcess p = supervise("http://localhost:" + health.getAddress().getPort() + "/q/health/live",
                    FAST);
            ManagedProcess first = p.current();
            awaitUpLines(1);
            await("a probe answered UP", () -> probes.get() >= 1);
            status.set(503);
            assertEquals("sleeper liveness DOWN 3 times in a row; killed; restarting in 200 ms (restart 1)",
                    nextReport());
            assertFalse(first.alive());
            status.set(200);
            assertTrue(nextReport().startsWith("sleeper restarted"));
            awaitUpLines(2);
        } finally {
            health.stop(0);
        }
    }

    private SupervisedProcess supervise(String livenessUrl, SupervisedProcess.Policy policy, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ManagedProcess.javaBinary(), "-Xmx32m", "-cp",
                System.getProperty("java.class.path"), Sleeper.class.getName()));
        cmd.addAll(List.of(args));
        SupervisedProcess p = new SupervisedProcess("sleeper", () -> ManagedProcess.start("sleeper", cmd, log()),
                livenessUrl, policy, reports::add).supervise();
        started.add(p);
        return p;
    }

    private Path log() {
        return dir.resolve("sleeper.log");
    }

    private static void kill9(SupervisedProcess p) {
        p.current().kill();
    }

    private String nextReport() throws InterruptedException {
        String r = reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(r != null, "no report within " + WAIT);
        return r;
    }

    /** Waits until {@code n} children have written their "up" line to the shared log. */
    private void awaitUpLines(int n) throws Exception {
        await(n + " children up", () -> {
            try {
                return Files.exists(log()) && Files.readAllLines(log()).stream().filter(l -> l.startsWith("up "))
                        .count() >= n;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + WAIT);
            Thread.sleep(20);
        }
    }
}
