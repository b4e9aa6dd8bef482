package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.LocalStack;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.FinishReason;
import org.medv.testkit.EmbeddedKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two real denoiser processes behind one gateway (its own stack: {@code LocalStack.denoisers(2)}, the gateway
 * given both addresses): concurrent requests spread over both; one denoiser killed with -9 while each runs two
 * long requests ends its two with a terminal FAILED (UNAVAILABLE) from the gateway's stall timer while the other
 * two complete; new requests, sent once the gateway sees the replica gone, are all served by the survivor; the
 * killed replica, started again, answers what it had accepted from its journal. Every accepted request gets one
 * terminal event and exactly one {@code medv.answers} record (read_committed), which names the replica that ran it.
 */
class SeveralDenoisersE2ETest {
    private static final int OFFSET = Stack.OFFSET;
    private static final int GATEWAY_GRPC = 21000 + OFFSET;
    private static final int GATEWAY_HTTP = 20080 + OFFSET;
    private static final int DENOISER_GRPC = 21102 + OFFSET;
    private static final int DENOISER_HTTP = 20102 + OFFSET;
    private static final Duration STALL = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** The replica killed: the second denoiser (instance id denoiser-1, ports +10). */
    private static final String VICTIM = "denoiser-1";

    private static EmbeddedKafka kafka;
    private static LocalStack stack;
    private static ManagedChannel channel;
    private static final List<String> reports = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path root = Stack.repoRoot();
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, "medv.denoise.steps", "medv.answers");
        Path run = Files.createDirectories(root.resolve("e2e/target/stack-denoisers"));
        LocalStack.Settings s = new LocalStack.Settings(root, root.resolve("models/demo"), run,
                kafka.bootstrapServers(), 0, GATEWAY_GRPC, GATEWAY_HTTP, 21101 + OFFSET, 20101 + OFFSET,
                DENOISER_GRPC, DENOISER_HTTP, 1, List.of("-Dmedv.gateway.stall-timeout=" + STALL.toSeconds() + "s"),
                0, List.of());
        stack = new LocalStack(s).denoisers(2).supervision(SupervisedProcess.Policy.DEFAULT, reports::add).start();
        channel = ManagedChannelBuilder.forAddress("localhost", GATEWAY_GRPC).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void loadSpreadsOverBothAndAKilledReplicasRequestsEndWhileTheOthersComplete() throws Exception {
        // 1. six concurrent requests: the gateway puts each on the replica holding fewer of its requests
        List<StreamCall> spread = askAll(6, 24);
        for (StreamCall c : spread) {
            assertEquals(FinishReason.FINISH_REASON_LENGTH, c.end().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .getFinishReason());
        }

        // 2. four long requests, two on each replica (both hold none now: fewest first, then in turn), all running
        // (a draft each), then the second denoiser is killed with -9
        for (int port : new int[]{DENOISER_GRPC, DENOISER_GRPC + 10}) {
            awaitGateway("denoiser localhost:" + port, "serving, 0 in flight"::equals);
        }
        List<StreamCall> running = askAll(4, 256);
        for (StreamCall c : running) {
            c.firstDraft.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        SupervisedProcess victim = stack.processes().stream()
                .filter(p -> p.name().equals("denoiser-service-1")).findFirst().orElseThrow();
        victim.stopSupervising(); // it stays down until this test starts it again (step 4)
        long killedAt = System.nanoTime();
        victim.current().kill();
        List<StreamCall> failed = new ArrayList<>();
        List<StreamCall> completed = new ArrayList<>();
        long slowestFailureMs = 0;
        for (StreamCall c : running) {
            AnswerEvent last = c.end().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (last.getFinishReason() == FinishReason.FINISH_REASON_FAILED) {
                assertEquals("UNAVAILABLE", last.getError().getCode(), last.getError().getMessage());
                // ended by the gateway's stall timer (it counts from the last event, which came before the kill),
                // not by the 3-minute wait
                assertEquals("denoiser-service stalled: no event for this request in " + STALL.toSeconds()
                        + " s (medv.gateway.stall-timeout); the generation was cancelled",
                        last.getError().getMessage());
                failed.add(c);
                slowestFailureMs = Math.max(slowestFailureMs, (c.endedAt - killedAt) / 1_000_000);
            } else {
                assertEquals(FinishReason.FINISH_REASON_LENGTH, last.getFinishReason());
                completed.add(c);
            }
        }
        assertEquals(2, failed.size(), "requests of the killed replica");
        assertEquals(2, completed.size(), "requests of the surviving replica");

        // 3. once the gateway has seen the replica go, new requests all go to the survivor and succeed
        awaitGateway("denoiser localhost:" + (DENOISER_GRPC + 10), state -> !state.startsWith("serving"));
        List<StreamCall> after = askAll(4, 24);
        for (StreamCall c : after) {
            assertEquals(FinishReason.FINISH_REASON_LENGTH, c.end().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .getFinishReason());
        }

        // 4. the killed replica started again answers its accepted requests from its journal, once each
        victim.startAgain();
        victim.current().awaitHttpOk("http://localhost:" + (DENOISER_HTTP + 10) + "/q/health/ready", WAIT);
        List<StreamCall> all = Stream.of(spread, running, after).flatMap(List::stream).toList();
        Map<String, List<AnswerRecord>> answers = AnswerRecords.await(kafka.bootstrapServers(),
                all.stream().map(StreamCall::requestId).toList(), WAIT);
        long records = answers.values().stream().mapToLong(List::size).sum();
        long duplicates = answers.values().stream().mapToLong(l -> l.size() - 1).sum();
        Map<String, Long> spreadBy = byReplica(spread, answers);
        Map<String, Long> afterBy = byReplica(after, answers);
        System.out.printf("several denoisers: accepted %d, terminal %d, answer records %d, duplicates %d; "
                        + "spread %s; killed replica's requests ended %d ms after the kill (stall %d s); "
                        + "after the kill %s%n", all.size(), all.stream().filter(c -> c.end().isDone()).count(),
                records, duplicates, spreadBy, slowestFailureMs, STALL.toSeconds(), afterBy);

        assertEquals(0, duplicates, "duplicate answer records");
        assertEquals(all.size(), records, "one answer record per accepted request");
        // the second pick always goes to the other replica (fewer in flight, or next in turn among equals)
        assertEquals(List.of("denoiser-0", VICTIM), List.copyOf(spreadBy.keySet()), "replicas that took requests");
        assertEquals(Map.of("denoiser-0", 4L), afterBy, "requests sent while the replica was down");
        for (StreamCall c : failed) {
            AnswerRecord a = answers.get(c.requestId()).get(0);
            assertEquals(VICTIM, a.getDenoiserId());
            assertEquals(FinishReason.FINISH_REASON_FAILED, a.getFinishReason());
            assertEquals("UNAVAILABLE", a.getError().getCode());
        }
        for (StreamCall c : completed) {
            AnswerRecord a = answers.get(c.requestId()).get(0);
            assertEquals("denoiser-0", a.getDenoiserId());
            assertEquals(FinishReason.FINISH_REASON_LENGTH, a.getFinishReason());
        }
    }

    private static Map<String, Long> byReplica(List<StreamCall> calls, Map<String, List<AnswerRecord>> answers) {
        return calls.stream().map(c -> answers.get(c.requestId()).get(0).getDenoiserId())
                .collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    }

    private static List<StreamCall> askAll(int n, int length) {
        return StreamCall.askAll(channel, n, length);
    }

    /** Waits until the gateway is ready and its readiness data for {@code key} satisfies {@code state}. */
    private static void awaitGateway(String key, Predicate<String> state) throws Exception {
        Stack.awaitGatewayDatum(GATEWAY_HTTP, key, state, WAIT);
    }
}
