package org.medv.denoiser;

import org.jboss.logging.Logger;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The final records of finished requests (final {@code DenoiseEvent} + {@code AnswerRecord}) from the moment the
 * engine hands them over until the broker has committed them, in the order the requests finished. Nothing leaves
 * it but by a commit: a broker outage only makes it longer.
 *
 * <p>With a directory it is also on disk, where it doubles as a journal of the requests accepted and not yet
 * finished, so that a denoiser restarted after a crash (kill -9) answers what the dead process had accepted (FAILED,
 * UNAVAILABLE) and refuses their ids as duplicates:
 * <pre>
 * lock          held while a process uses the directory: one denoiser per directory
 * accepted/KEY  a request accepted and not finished (KEY: SHA-256 of its id): the FAILED records a restart sends
 * pending/SEQ   a finished request's records, waiting for the broker
 * done          ids whose records the broker committed (the last {@value #RECENT}), for duplicate detection
 * </pre>
 * Files are written under a temporary name and moved into place (never half-written), not fsync'ed: they survive a
 * process crash, not a power loss. They hold what the topics hold, and the directory is the owner's only.
 */
final class FinalOutbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FinalOutbox.class);
    static final int RECENT = 4096;

    /**
     * One request's final records. {@code recovered}: a previous process left it, and may have committed it before
     * it died. {@code afterSteps} completes once the request's step events are acknowledged (they come first).
     */
    record Entry(long seq, String requestId, DenoiseEvent finalEvent, AnswerRecord answer, boolean recovered,
                 CompletableFuture<Void> afterSteps, CompletableFuture<Void> done) {
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Deque<Entry> pending = new ArrayDeque<>();
    private final Set<String> done = new LinkedHashSet<>();
    private long nextSeq;

    private FinalOutbox(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    static FinalOutbox inMemory() {
        return new FinalOutbox(null, null, null);
    }

    /** Opens (creates) {@code dir}, takes its lock, and recovers what a previous process left. */
    static FinalOutbox open(Path dir) {
        try {
            createPrivate(dir);
            createPrivate(dir.resolve("accepted"));
            createPrivate(dir.resolve("pending"));
            FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held in this JVM already
            }
            if (lock == null) {
                ch.close();
                throw new IllegalStateException("the outbox " + dir + " is in use by another denoiser process "
                        + "(medv.denoiser.outbox-dir must differ per instance)");
            }
            FinalOutbox o = new FinalOutbox(dir, ch, lock);
            o.recover();
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the outbox " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Journals an accepted request with the FAILED records a restart publishes if this process dies first. */
    void accepted(String requestId, DenoiseEvent failedFinal, AnswerRecord failedAnswer) {
        if (dir != null) {
            try {
                write(acceptedFile(requestId), failedFinal, failedAnswer);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot journal the request in " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** A journaled request that was refused after all (queue full). */
    void withdrawn(String requestId) {
        if (dir != null) {
            deleteQuietly(acceptedFile(requestId));
        }
    }

    /** Takes a finished request's records; the future completes once the broker has committed them. */
    synchronized Entry add(String requestId, DenoiseEvent finalEvent, AnswerRecord answer,
                           CompletableFuture<Void> afterSteps) {
        Entry e = new Entry(nextSeq++, requestId, finalEvent, answer, false, afterSteps, new CompletableFuture<>());
        if (dir != null) {
            try {
                write(pendingFile(e.seq()), finalEvent, answer);
                Files.deleteIfExists(acceptedFile(requestId));
            } catch (IOException ex) {
                // kept in memory all the same: the broker still gets it unless this process dies first
                LOG.warnf("request %s: final records not written to %s: %s", requestId, dir, ex.getMessage());
            }
        }
        pending.addLast(e);
        notifyAll();
        return e;
    }

    /** Up to {@code max} entries at the head, oldest first, waiting up to {@code waitMillis} for one. */
    synchronized List<Entry> peek(int max, long waitMillis) throws InterruptedException {
        if (pending.isEmpty() && waitMillis > 0) {
            wait(waitMillis);
        }
        return pending.stream().limit(max).toList();
    }

    /** The broker committed {@code batch} (the head of the queue): forget it and tell the waiting callers. */
    void committed(List<Entry> batch) {
        synchronized (this) {
            if (dir != null) {
                // done first: a crash before the files go leaves entries that recovery drops by their id
                appendDone(batch.stream().map(Entry::requestId).toList());
            }
            for (Entry e : batch) {
                pending.remove(e);
                remember(e.requestId());
                if (dir != null) {
                    deleteQuietly(pendingFile(e.seq()));
                }
            }
            notifyAll();
        }
        batch.forEach(e -> e.done().complete(null));
    }

    /** Ids of recovered entries, which a previous process may have committed before it died. */
    synchronized Set<String> recoveredIds() {
        Set<String> ids = new LinkedHashSet<>();
        pending.stream().filter(Entry::recovered).forEach(e -> ids.add(e.requestId()));
        return ids;
    }

    /** The oldest {@code finished_unix_ms} of the recovered entries, or -1 without any. */
    synchronized long recoveredSince() {
        return pending.stream().filter(Entry::recovered).mapToLong(e -> e.answer().getFinishedUnixMs()).min()
                .orElse(-1);
    }

    /** Drops the recovered entries whose records the broker already holds, as committed. */
    void alreadyCommitted(Set<String> ids) {
        List<Entry> found;
        synchronized (this) {
            found = pending.stream().filter(e -> e.recovered() && ids.contains(e.requestId())).toList();
        }
        if (!found.isEmpty()) {
            LOG.infof("%d recovered answer(s) were committed before the restart; not sent again", found.size());
            committed(found);
        }
    }

    /** Ids a retried Start must be refused for: committed recently, or waiting here. */
    synchronized Set<String> knownIds() {
        Set<String> ids = new LinkedHashSet<>(done);
        pending.forEach(e -> ids.add(e.requestId()));
        return ids;
    }

    synchronized int size() {
        return pending.size();
    }

    /** Waits up to {@code millis} for every entry to be committed; true when none is left. */
    synchronized boolean awaitEmpty(long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000;
        while (!pending.isEmpty()) {
            long left = (until - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Releases the directory; entries still waiting stay there for the next start (in memory: they are lost). */
    @Override
    public void close() {
        List<Entry> left;
        synchronized (this) {
            left = List.copyOf(pending);
            pending.clear();
            notifyAll();
        }
        if (!left.isEmpty()) {
            if (dir != null) {
                LOG.warnf("%d answer(s) not yet committed stay in %s for the next start", left.size(), dir);
            } else {
                LOG.errorf("%d answer(s) not committed before shutdown are lost (no medv.denoiser.outbox-dir): %s",
                        left.size(), left.stream().map(Entry::requestId).toList());
            }
        }
        left.forEach(e -> e.done().completeExceptionally(new IllegalStateException("not committed before shutdown")));
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warnf("cannot release the outbox lock: %s", e.getMessage());
        }
    }

    /** Reads what a previous process left: committed ids, waiting records, and accepted requests it never ended. */
    private void recover() throws IOException {
        Path doneFile = dir.resolve("done");
        if (Files.exists(doneFile)) {
            List<String> lines = Files.readAllLines(doneFile, StandardCharsets.UTF_8);
            lines.subList(Math.max(0, lines.size() - RECENT), lines.size()).stream().filter(l -> !l.isBlank())
                    .forEach(this::remember);
            Files.write(doneFile, done, StandardCharsets.UTF_8);
        }
        List<Path> files = list(dir.resolve("pending"));
        for (Path f : files) {
            nextSeq = Math.max(nextSeq, Long.parseLong(f.getFileName().toString()) + 1);
        }
        for (Path f : files) {
            var r = read(f);
            if (r.isPresent() && done.contains(r.get().answer().getRequestId())) {
                Files.delete(f); // committed; the process died before it removed the file
            } else if (r.isPresent()) {
                pending.addLast(new Entry(Long.parseLong(f.getFileName().toString()), r.get().answer().getRequestId(),
                        r.get().finalEvent(), r.get().answer(), true, done(), new CompletableFuture<>()));
            }
        }
        int unfinished = 0;
        for (Path f : list(dir.resolve("accepted"))) {
            var r = read(f);
            if (r.isEmpty()) {
                continue;
            }
            String id = r.get().answer().getRequestId();
            if (done.contains(id) || pending.stream().anyMatch(e -> e.requestId().equals(id))) {
                Files.delete(f); // it finished: the process died between writing its records and this removal
                continue;
            }
            long now = System.currentTimeMillis();
            AnswerRecord answer = r.get().answer().toBuilder().setFinishedUnixMs(now).build();
            Entry e = new Entry(nextSeq++, answer.getRequestId(), r.get().finalEvent(), answer, true, done(),
                    new CompletableFuture<>());
            write(pendingFile(e.seq()), e.finalEvent(), answer);
            Files.delete(f);
            pending.addLast(e);
            unfinished++;
        }
        if (!pending.isEmpty()) {
            LOG.infof("outbox %s: %d answer(s) to send, %d of them FAILED for requests the previous process "
                    + "accepted and never finished", dir, pending.size(), unfinished);
        }
    }

    private record Records(DenoiseEvent finalEvent, AnswerRecord answer) {
    }

    private static java.util.Optional<Records> read(Path f) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f))) {
            DenoiseEvent e = DenoiseEvent.parseDelimitedFrom(in);
            AnswerRecord a = AnswerRecord.parseDelimitedFrom(in);
            if (e == null || a == null || a.getRequestId().isEmpty()) {
                throw new IOException("truncated");
            }
            return java.util.Optional.of(new Records(e, a));
        } catch (IOException e) {
            LOG.errorf("outbox file %s is unreadable (%s); moved aside", f, e.getMessage());
            try {
                Files.move(f, f.resolveSibling(f.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // left in place: it is skipped again at the next start
            }
            return java.util.Optional.empty();
        }
    }

    private static void write(Path file, DenoiseEvent finalEvent, AnswerRecord answer) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            finalEvent.writeDelimitedTo(out);
            answer.writeDelimitedTo(out);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void appendDone(List<String> ids) {
        try {
            Files.writeString(dir.resolve("done"), String.join("\n", ids) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("cannot append to %s: %s", dir.resolve("done"), e.getMessage());
        }
    }

    private void remember(String id) {
        done.remove(id);
        done.add(id);
        if (done.size() > RECENT) {
            done.remove(done.iterator().next());
        }
    }

    /** Pending file names are zero-padded sequence numbers, so that listing them sorted gives the finish order. */
    private Path pendingFile(long seq) {
        return dir.resolve("pending").resolve(String.format("%019d", seq));
    }

    private Path acceptedFile(String requestId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            return dir.resolve("accepted").resolve(HexFormat.of().formatHex(h));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The entries of {@code d} by name, leftover temporary and corrupt files removed or skipped. */
    private static List<Path> list(Path d) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.delete(p);
                } else if (!name.endsWith(".corrupt")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static void createPrivate(Path d) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(d);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", p, e.getMessage());
        }
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
