package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.FinishReason;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One of the two gateways killed with -9 while each relays two long answers: the killed gateway's clients get a
 * gRPC status (UNAVAILABLE) at once, the other gateway's clients get their whole answers, the supervisor starts the
 * gateway again and it serves new requests. The dead gateway's generations run to their end in the denoiser (no one
 * cancels them), so every accepted request has exactly one {@code medv.answers} record.
 */
class GatewayCrashE2ETest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void aKilledGatewaysClientsGetAStatusWhileTheOtherGatewaysClientsAreUnaffected() throws Exception {
        Stack stack = Stack.get();
        SupervisedProcess victim = stack.services.processes().stream()
                .filter(p -> p.name().equals("gateway-" + Stack.grpc(1))).findFirst().orElseThrow();
        int restartsBefore = victim.restarts();
        ManagedChannel g0 = Clients.channel(0);
        ManagedChannel g1 = Clients.channel(1);
        try {
            List<StreamCall> onSurvivor = accepted(g0, 2, 128);
            List<StreamCall> onVictim = accepted(g1, 2, 128);
            long pid = victim.current().pid();
            long killedAt = System.nanoTime();
            victim.current().kill();

            long slowestStatusMs = 0;
            for (StreamCall c : onVictim) {
                Status s = c.status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(Status.Code.UNAVAILABLE, s.getCode(), s.toString());
                assertTrue(!c.end().isDone() || c.end().isCompletedExceptionally(), "no final event");
                slowestStatusMs = Math.max(slowestStatusMs, (c.endedAt - killedAt) / 1_000_000);
            }
            for (StreamCall c : onSurvivor) {
                assertEquals(FinishReason.FINISH_REASON_LENGTH, c.end().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .getFinishReason());
            }

            awaitRestarted(victim, pid);
            assertEquals(restartsBefore + 1, victim.restarts());
            List<StreamCall> after = Stream.concat(accepted(g1, 1, 16).stream(), accepted(g0, 1, 16).stream())
                    .toList();
            for (StreamCall c : after) {
                assertEquals(FinishReason.FINISH_REASON_LENGTH, c.end().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .getFinishReason());
            }

            List<StreamCall> all = Stream.of(onSurvivor, onVictim, after).flatMap(List::stream).toList();
            Map<String, List<AnswerRecord>> answers = AnswerRecords.await(stack.kafka.bootstrapServers(),
                    all.stream().map(StreamCall::requestId).toList(), WAIT);
            long records = answers.values().stream().mapToLong(List::size).sum();
            long duplicates = answers.values().stream().mapToLong(l -> l.size() - 1).sum();
            System.out.printf("gateway killed: accepted %d, terminal %d (%d final events, %d UNAVAILABLE, the "
                            + "slowest %d ms after the kill), answer records %d, duplicates %d%n", all.size(),
                    all.stream().filter(c -> c.status.isDone()).count(), all.size() - onVictim.size(),
                    onVictim.size(), slowestStatusMs, records, duplicates);
            assertEquals(0, duplicates, "duplicate answer records");
            assertEquals(all.size(), records, "one answer record per accepted request");
            for (StreamCall c : onVictim) {
                // nobody cancels the dead gateway's generations: they run to their end and are recorded
                assertEquals(FinishReason.FINISH_REASON_LENGTH, answers.get(c.requestId()).get(0).getFinishReason());
            }
        } finally {
            g0.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            g1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Until the supervisor has started a new process in place of {@code pid} and it is ready. */
    private static void awaitRestarted(SupervisedProcess victim, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (victim.current().pid() == pid) {
            assertTrue(System.nanoTime() < deadline, "the gateway was not restarted within " + WAIT);
            Thread.sleep(100);
        }
        victim.current().awaitHttpOk("http://localhost:" + Stack.http(1) + "/q/health/ready", WAIT);
    }

    /**
     * {@code n} requests that the denoiser accepted and started (a first draft arrived). The shared stack's small
     * queue may still hold earlier tests' generations: a refusal (RESOURCE_EXHAUSTED, "retry later", nothing
     * enqueued, so no answer record) is asked again, as a client honouring it would, until {@link #WAIT} runs out.
     */
    private static List<StreamCall> accepted(ManagedChannel channel, int n, int length) throws Exception {
        List<StreamCall> out = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < n) {
            StreamCall c = StreamCall.askAll(channel, 1, length).get(0);
            try {
                c.firstDraft.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                out.add(c);
            } catch (java.util.concurrent.ExecutionException e) {
                Status s = Status.fromThrowable(e.getCause());
                if (s.getCode() != Status.Code.RESOURCE_EXHAUSTED || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500); // the refusal's "retry later"
            }
        }
        return out;
    }
}
