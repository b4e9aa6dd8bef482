package org.medv.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM of the local stack: output to a log file, readiness by HTTP health or an open port, clean stop. */
public final class ManagedProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with its output appended to {@code log}. */
    public static ManagedProcess start(String name, List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return new ManagedProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The {@code java} of the running JVM, so children use the same runtime. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to end; true when it has. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code (128 + signal when a signal ended it, e.g. 137 for kill -9); only once it has ended. */
    public int exitCode() {
        return process.exitValue();
    }

    /** SIGKILL, as a supervisor does to a process whose liveness check stays DOWN. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits until {@code url} answers 200 (e.g. /q/health/ready); fails early if the process dies. */
    public void awaitHttpOk(String url, Duration timeout) {
        awaitHttpOk(url, timeout, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    }

    /** {@link #awaitHttpOk(String, Duration)} with this client (e.g. one that trusts an HTTPS certificate). */
    public void awaitHttpOk(String url, Duration timeout, HttpClient http) {
        awaitHttpOk(url, timeout, http, body -> true);
    }

    /** Until {@code url} answers 200 with a body that {@code ready} accepts. */
    public void awaitHttpOk(String url, Duration timeout, HttpClient http, java.util.function.Predicate<String> ready) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            checkAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && ready.test(r.body())) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            sleep();
        }
        throw new IllegalStateException(name + " was not ready at " + url + " within " + timeout.toSeconds()
                + " s; see " + log);
    }

    /** Waits until something accepts connections on {@code port}. */
    public void awaitPort(String host, int port, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            checkAlive();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                sleep();
            }
        }
        throw new IllegalStateException(name + " did not open port " + port + " within " + timeout.toSeconds()
                + " s; see " + log);
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; see " + log);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a TCP port on loopback is free. */
    public static boolean portFree(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("localhost", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
