package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.LocalStack;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.FinishReason;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker process {@code ./medv up} starts, killed with -9 while four answers stream: its own stack (a local
 * KRaft broker process under supervision, as {@code up} runs it, not the shared stack's in-process broker). The
 * supervisor starts the broker again on its data directory; every accepted request ends with a terminal status (its
 * final event once the broker is back, or the gateway's stall timeout if the outage were longer), exactly one answer
 * record each is committed, and new requests are answered. Counted: accepted, terminal, answer records, duplicates.
 */
class BrokerCrashE2ETest {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final int GATEWAY_GRPC = 19300 + Stack.OFFSET;
    private static final int KAFKA = 19392 + Stack.OFFSET;
    private static final int REQUESTS = 4;
    /** Long enough that every request is still generating when the broker dies right after their first drafts. */
    private static final int LENGTH = 320;

    @Test
    void aKilledBrokerIsRestartedAndEveryAcceptedRequestEndsOnceWithOneAnswerRecord() throws Exception {
        Path root = Stack.repoRoot();
        Path run = root.resolve("e2e/target/broker-crash");
        if (Files.exists(run)) {
            try (var files = Files.walk(run)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        LocalStack.Settings s = new LocalStack.Settings(root, root.resolve("models/demo"), run, null, KAFKA,
                GATEWAY_GRPC, 18300 + Stack.OFFSET, 19301 + Stack.OFFSET, 18301 + Stack.OFFSET, 19302 + Stack.OFFSET,
                18302 + Stack.OFFSET, 1, List.of(), 0, List.of());
        try (LocalStack stack = new LocalStack(s).readyTimeout(Duration.ofMinutes(10)).start()) {
            SupervisedProcess broker = stack.processes().stream().filter(p -> p.name().equals("kafka")).findFirst()
                    .orElseThrow();
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", GATEWAY_GRPC).usePlaintext()
                    .build();
            try {
                List<StreamCall> calls = StreamCall.askAll(channel, REQUESTS, LENGTH);
                for (StreamCall c : calls) {
                    c.firstDraft.get(WAIT.toSeconds(), TimeUnit.SECONDS); // accepted and streaming
                }
                int restartsBefore = broker.restarts();
                long pid = broker.current().pid();
                broker.current().kill();
                long killedAt = System.nanoTime();
                assertTrue(calls.stream().noneMatch(c -> c.status.isDone()), "every request was still streaming");

                long finals = 0;
                long slowestMs = 0;
                for (StreamCall c : calls) {
                    Status status = c.status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    slowestMs = Math.max(slowestMs, TimeUnit.NANOSECONDS.toMillis(c.endedAt - killedAt));
                    if (status.isOk()) {
                        AnswerEvent last = c.end().get();
                        assertEquals(FinishReason.FINISH_REASON_LENGTH, last.getFinishReason(), last.toString());
                        finals++;
                    } else {
                        // an outage longer than medv.gateway.stall-timeout: the gateway ends the call itself
                        assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
                    }
                }
                awaitRestarted(broker, pid, restartsBefore);

                StreamCall after = StreamCall.askAll(channel, 1, 8).get(0);
                assertEquals(FinishReason.FINISH_REASON_LENGTH, after.end().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .getFinishReason(), "a request after the restart is answered");

                List<String> ids = new ArrayList<>(calls.stream().map(StreamCall::requestId).toList());
                ids.add(after.requestId());
                Map<String, List<AnswerRecord>> answers = AnswerRecords.await("localhost:" + KAFKA, ids, WAIT);
                long records = answers.values().stream().mapToLong(List::size).sum();
                long duplicates = answers.values().stream().mapToLong(l -> l.size() - 1).sum();
                System.out.printf("broker killed: accepted %d, terminal %d (%d final events, %d UNAVAILABLE, the "
                                + "last %d ms after the kill), broker restarts %d, answer records %d, duplicates %d%n",
                        REQUESTS, calls.stream().filter(c -> c.status.isDone()).count(), finals, REQUESTS - finals,
                        slowestMs, broker.restarts() - restartsBefore, records, duplicates);
                assertEquals(0, duplicates, "duplicate answer records");
                assertEquals(ids.size(), records, "one answer record per accepted request");
                for (StreamCall c : calls) {
                    assertEquals(FinishReason.FINISH_REASON_LENGTH,
                            answers.get(c.requestId()).get(0).getFinishReason(), "the generation ran to its end");
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Until the supervisor has started a new broker in place of {@code pid}. */
    private static void awaitRestarted(SupervisedProcess broker, long pid, int restartsBefore)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broker.restarts() == restartsBefore || broker.current().pid() == pid) {
            assertTrue(System.nanoTime() < deadline, "the broker was not restarted within " + WAIT);
            Thread.sleep(100);
        }
    }
}
