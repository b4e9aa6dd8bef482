package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.ClientMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vision-service down, with real processes: frozen (SIGSTOP) while image requests come in, then killed with -9,
 * then kept down (its jar moved away, so the supervisor's restarts fail) while more requests come, then let back.
 * Counted: requests sent and accepted, terminal statuses, answer records (read_committed, to the end of the topic)
 * and duplicates. What a client sees is written up in docs/reliability.md.
 *
 * <p>No timing race: the image requests sent while vision is frozen cannot have been encoded, so each must end
 * with UNAVAILABLE naming vision-service; the requests sent while it is down are sent once the gateway's readiness
 * says requests with an image are refused, and the window stays open until the test restores the jar. Text-only
 * requests need no vision: they are answered in every phase.
 */
class VisionDownE2ETest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int IMAGE_REQUESTS = 4;
    private static final int TEXT_REQUESTS = 2;

    /** One call's end: the final event, or the status it ended with, and how long it took. */
    record Outcome(String phase, boolean image, AnswerEvent answer, Status status, long millis) {
        boolean ok() {
            return answer != null;
        }

        @Override
        public String toString() {
            return phase + (image ? " image " : " text ") + (ok() ? "OK " + answer.getRequestId()
                    : status.getCode() + " " + status.getDescription()) + " in " + millis + " ms";
        }
    }

    @Test
    void imageRequestsEndUnavailableNamingVisionWhileItIsDownAndNothingIsLostOrDoubled() throws Exception {
        Stack stack = Stack.get();
        SupervisedProcess vision = stack.services.processes().stream()
                .filter(p -> p.name().equals("vision-service")).findFirst().orElseThrow();
        Path jar = Stack.repoRoot().resolve("vision-service/target/quarkus-app/quarkus-run.jar");
        Path held = jar.resolveSibling("quarkus-run.jar.held-by-VisionDownE2ETest");
        String run = "vision-down-" + UUID.randomUUID();
        ManagedChannel channel = Clients.channel(0);
        List<Outcome> outcomes = new ArrayList<>();
        try {
            awaitGatewayReady();
            int restartsBefore = vision.restarts();

            // A: vision frozen; image requests cannot be encoded, text-only ones do not need it
            signal("STOP", vision.current().pid());
            List<CompletableFuture<Outcome>> frozen = new ArrayList<>();
            for (int i = 0; i < IMAGE_REQUESTS; i++) {
                frozen.add(ask(channel, "A", run, true, i));
            }
            List<Outcome> textWhileFrozen = new ArrayList<>();
            for (int i = 0; i < TEXT_REQUESTS; i++) {
                textWhileFrozen.add(ask(channel, "A", run, false, i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            // kept down: the supervisor's restarts fail until the jar is back
            Files.move(jar, held, StandardCopyOption.ATOMIC_MOVE);
            vision.current().kill();
            assertTrue(vision.current().waitFor(Duration.ofSeconds(30)), "vision-service ended");
            for (CompletableFuture<Outcome> f : frozen) {
                outcomes.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            outcomes.addAll(textWhileFrozen);

            // B: the gateway knows vision is down (it stays ready: text-only requests need no vision); new requests
            awaitImages("refused: vision-service");
            for (int i = 0; i < IMAGE_REQUESTS; i++) {
                outcomes.add(ask(channel, "B", run, true, i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            for (int i = 0; i < TEXT_REQUESTS; i++) {
                outcomes.add(ask(channel, "B", run, false, i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            Clients.HttpAnswer http = Clients.postMultipart(0, Clients.png(32, 32, 1),
                    Clients.fields("Is there a lesion?", 8, 8, 8));
            assertEquals(503, http.status(), http.body());
            assertTrue(http.body().contains("vision-service"), http.body());

            // C: vision back (the supervisor's next restart finds the jar)
            Files.move(held, jar, StandardCopyOption.ATOMIC_MOVE);
            awaitImages("served");
            assertTrue(vision.restarts() > restartsBefore, "the supervisor restarted vision-service");
            for (int i = 0; i < IMAGE_REQUESTS; i++) {
                outcomes.add(ask(channel, "C", run, true, i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            if (Files.exists(held) && !Files.exists(jar)) {
                Files.move(held, jar, StandardCopyOption.ATOMIC_MOVE);
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        outcomes.forEach(o -> System.out.println("vision-down: " + o));

        for (Outcome o : outcomes) {
            boolean mustFail = o.image() && !o.phase().equals("C");
            if (mustFail) {
                assertTrue(!o.ok() && o.status().getCode() == Status.Code.UNAVAILABLE, o.toString());
                assertTrue(o.status().getDescription().contains("vision-service"), o.toString());
            } else {
                assertTrue(o.ok(), o.toString());
                assertTrue(o.answer().getFinal() && !o.answer().hasError(), o.toString());
            }
        }
        Set<String> accepted = outcomes.stream().filter(Outcome::ok).map(o -> o.answer().getRequestId())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(2 * TEXT_REQUESTS + IMAGE_REQUESTS, accepted.size(),
                "text while frozen and while down, images once back");
        Map<String, List<AnswerRecord>> records = Clients.answersLabelled("fault-run", run);
        assertEquals(accepted, new TreeSet<>(records.keySet()), "one answer record per accepted request, no other");
        records.forEach((id, r) -> assertEquals(1, r.size(), "answer records of " + id));
        System.out.println("vision-down: sent " + outcomes.size() + ", accepted " + accepted.size()
                + ", UNAVAILABLE " + outcomes.stream().filter(o -> !o.ok()).count() + ", answer records "
                + records.values().stream().mapToInt(List::size).sum() + ", duplicates 0, slowest refusal "
                + outcomes.stream().filter(o -> !o.ok()).mapToLong(Outcome::millis).max().orElse(0) + " ms");
    }

    private static CompletableFuture<Outcome> ask(ManagedChannel channel, String phase, String run, boolean image,
                                                  int seed) {
        AskRequest r = Clients.request(image ? Clients.png(48, 48, seed) : null, "Is there a lesion?", 16, 16, 16)
                .toBuilder().setMetadata(ClientMetadata.newBuilder().putLabels("fault-run", run)
                        .putLabels("phase", phase)).build();
        return CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            try {
                AnswerEvent e = AssistantGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                        .askOnce(r);
                return new Outcome(phase, image, e, null, (System.nanoTime() - t0) / 1_000_000);
            } catch (StatusRuntimeException e) {
                return new Outcome(phase, image, null, e.getStatus(), (System.nanoTime() - t0) / 1_000_000);
            }
        });
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }

    private static void awaitGatewayReady() throws Exception {
        awaitImages("served");
    }

    /** Polls gateway 0's readiness until it is ready (200) and its {@code images} state starts with {@code images}. */
    private static void awaitImages(String images) throws Exception {
        Stack.awaitGatewayDatum(Stack.http(0), "images", state -> state.startsWith(images), WAIT);
    }
}
