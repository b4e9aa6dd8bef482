package org.medv.denoiser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox alone: what a process leaves in its directory and what the next one makes of it. */
class FinalOutboxTest {
    @TempDir
    Path dir;

    @Test
    void aRestartSendsWhatWasLeftAndAnswersWhatWasAcceptedButNeverFinished() {
        FinalOutbox first = FinalOutbox.open(dir);
        first.accepted("committed", failedFinal("committed"), failedAnswer("committed", 1));
        first.accepted("finished", failedFinal("finished"), failedAnswer("finished", 2));
        first.accepted("running", failedFinal("running"), failedAnswer("running", 3));
        first.accepted("refused", failedFinal("refused"), failedAnswer("refused", 4));
        first.withdrawn("refused");
        FinalOutbox.Entry c = first.add("committed", finalEvent("committed"), answer("committed"), done());
        first.add("finished", finalEvent("finished"), answer("finished"), done());
        first.committed(List.of(c));
        assertTrue(c.done().isDone());
        dies(first);

        FinalOutbox second = FinalOutbox.open(dir);
        try {
            List<FinalOutbox.Entry> left = peekAll(second);
            assertEquals(List.of("finished", "running"), left.stream().map(FinalOutbox.Entry::requestId).toList(),
                    "the finished request first (finish order), then the one the dead process never ended");
            assertEquals(FinishReason.FINISH_REASON_STOP, left.get(0).answer().getFinishReason());
            assertEquals(FinishReason.FINISH_REASON_FAILED, left.get(1).answer().getFinishReason());
            assertEquals("UNAVAILABLE", left.get(1).answer().getError().getCode());
            assertTrue(left.get(1).answer().getFinishedUnixMs() > 3, "stamped when the restart answered it");
            assertTrue(left.stream().allMatch(FinalOutbox.Entry::recovered));
            assertEquals(Set.of("finished", "running"), second.recoveredIds());
            assertEquals(Set.of("committed", "finished", "running"), second.knownIds(),
                    "a retried Start of any of them is a duplicate");
        } finally {
            dies(second);
        }
    }

    @Test
    void entriesFoundCommittedAreDroppedAndNeverComeBack() {
        FinalOutbox first = FinalOutbox.open(dir);
        first.add("a", finalEvent("a"), answer("a"), done());
        first.add("b", finalEvent("b"), answer("b"), done());
        dies(first);

        FinalOutbox second = FinalOutbox.open(dir);
        second.alreadyCommitted(Set.of("a"));
        assertEquals(List.of("b"), peekAll(second).stream().map(FinalOutbox.Entry::requestId).toList());
        second.committed(peekAll(second));
        assertEquals(0, second.size());
        dies(second);

        FinalOutbox third = FinalOutbox.open(dir);
        assertEquals(0, third.size());
        assertEquals(Set.of("a", "b"), third.knownIds());
        dies(third);
    }

    @Test
    void oneProcessPerDirectory() {
        FinalOutbox first = FinalOutbox.open(dir);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> FinalOutbox.open(dir));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        } finally {
            dies(first);
        }
    }

    @Test
    void anUnreadableFileIsMovedAsideAndTheRestRecovered() throws Exception {
        FinalOutbox first = FinalOutbox.open(dir);
        first.add("good", finalEvent("good"), answer("good"), done());
        dies(first);
        Files.write(dir.resolve("pending").resolve(String.format("%019d", 7)), new byte[]{9, 9, 9});

        FinalOutbox second = FinalOutbox.open(dir);
        assertEquals(List.of("good"), peekAll(second).stream().map(FinalOutbox.Entry::requestId).toList());
        assertTrue(Files.exists(dir.resolve("pending").resolve(String.format("%019d", 7) + ".corrupt")));
        dies(second);
    }

    @Test
    void inMemoryKeepsEverythingUntilCommittedAndFailsTheRestAtClose() throws Exception {
        FinalOutbox o = FinalOutbox.inMemory();
        o.accepted("x", failedFinal("x"), failedAnswer("x", 1)); // no journal without a directory
        FinalOutbox.Entry x = o.add("x", finalEvent("x"), answer("x"), done());
        FinalOutbox.Entry y = o.add("y", finalEvent("y"), answer("y"), done());
        assertEquals(List.of(x, y), o.peek(10, 0));
        o.committed(List.of(x));
        assertFalse(o.awaitEmpty(1));
        o.close();
        assertTrue(x.done().isDone() && !x.done().isCompletedExceptionally());
        assertTrue(y.done().isCompletedExceptionally(), "lost at shutdown, and said so");
    }

    /** A process that dies leaves its files; close() here only releases the lock (as the OS does on kill -9). */
    private static void dies(FinalOutbox o) {
        o.close();
    }

    private static List<FinalOutbox.Entry> peekAll(FinalOutbox o) {
        try {
            return o.peek(100, 0);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    private static DenoiseEvent finalEvent(String id) {
        return DenoiseEvent.newBuilder().setRequestId(id).setFinal(true).setText("answer of " + id)
                .setFinishReason(FinishReason.FINISH_REASON_STOP).build();
    }

    private static AnswerRecord answer(String id) {
        return AnswerRecord.newBuilder().setRequestId(id).setText("answer of " + id)
                .setFinishReason(FinishReason.FINISH_REASON_STOP).setFinishedUnixMs(System.currentTimeMillis())
                .build();
    }

    private static DenoiseEvent failedFinal(String id) {
        return DenoiseEvent.newBuilder().setRequestId(id).setFinal(true)
                .setFinishReason(FinishReason.FINISH_REASON_FAILED).build();
    }

    private static AnswerRecord failedAnswer(String id, long finishedMs) {
        return AnswerRecord.newBuilder().setRequestId(id).setFinishReason(FinishReason.FINISH_REASON_FAILED)
                .setError(org.medv.proto.v1.ErrorInfo.newBuilder().setCode("UNAVAILABLE")
                        .setMessage("the denoiser stopped before the request finished"))
                .setFinishedUnixMs(finishedMs).build();
    }
}
