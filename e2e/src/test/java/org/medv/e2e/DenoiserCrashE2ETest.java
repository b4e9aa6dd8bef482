package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.SupervisedProcess;
import org.medv.model.TextSide;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.StartRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The denoiser process killed with -9 while it runs two requests: the stack's supervisor starts it again, and the
 * restarted process answers both, FAILED, once each (from its outbox journal), then serves new requests.
 */
class DenoiserCrashE2ETest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void aKilledDenoiserIsRestartedAndAnswersWhatItHadAcceptedExactlyOnce() throws Exception {
        Stack stack = Stack.get();
        SupervisedProcess denoiser = stack.services.processes().stream()
                .filter(p -> p.name().equals("denoiser-service")).findFirst().orElseThrow();
        int restartsBefore = denoiser.restarts();
        List<StartRequest> killed = new ArrayList<>();
        try (TextSide text = TextSide.load(stack.modelDir); KafkaConsumer<String, byte[]> steps = consumer()) {
            List<TopicPartition> parts = partitions(steps, "medv.denoise.steps");
            steps.assign(parts);
            steps.seekToEnd(parts);
            parts.forEach(steps::position);
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", Stack.DENOISER_GRPC)
                    .usePlaintext().build();
            try {
                for (int i = 0; i < 2; i++) {
                    StartRequest r = request(text, 256);
                    DenoiserGrpc.newBlockingStub(channel).start(r);
                    killed.add(r);
                }
                awaitStep(steps, killed.get(1).getRequestId());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            denoiser.current().kill();

            awaitReady();
            assertEquals(restartsBefore + 1, denoiser.restarts());
            Map<String, List<AnswerRecord>> answers = awaitAnswers(killed);
            for (StartRequest r : killed) {
                List<AnswerRecord> a = answers.get(r.getRequestId());
                assertEquals(1, a.size(), "answer records of " + r.getRequestId());
                assertEquals(FinishReason.FINISH_REASON_FAILED, a.get(0).getFinishReason());
                assertEquals("UNAVAILABLE", a.get(0).getError().getCode());
            }

            ManagedChannel again = ManagedChannelBuilder.forAddress("localhost", Stack.DENOISER_GRPC)
                    .usePlaintext().build();
            try {
                StartRequest next = request(text, 8);
                DenoiserGrpc.newBlockingStub(again).start(next);
                AnswerRecord served = awaitAnswers(List.of(next)).get(next.getRequestId()).get(0);
                assertEquals(FinishReason.FINISH_REASON_LENGTH, served.getFinishReason());
            } finally {
                again.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static StartRequest request(TextSide text, int length) {
        StartRequest.Builder b = StartRequest.newBuilder().setRequestId("crash-" + UUID.randomUUID())
                .setGatewayId("e2e-crash-test").setReceivedUnixMs(System.currentTimeMillis())
                .setOptions(GenerationOptions.newBuilder().setGenLength(length).setBlockLength(length)
                        .setSteps(length).setNoStop(true));
        for (int id : text.prompts().promptIds("Which side are the lesions on?", 0)) {
            b.addPromptIds(id);
        }
        return b.build();
    }

    private static void awaitStep(KafkaConsumer<String, byte[]> steps, String requestId) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : steps.poll(Duration.ofMillis(100))) {
                if (requestId.equals(r.key())) {
                    return;
                }
            }
        }
        throw new AssertionError("no step of " + requestId + " within " + WAIT);
    }

    private static void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + Stack.DENOISER_HTTP
                + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // down, or not listening yet
            }
            assertTrue(System.nanoTime() < deadline, "the denoiser was not ready again within " + WAIT);
            Thread.sleep(250);
        }
    }

    private static Map<String, List<AnswerRecord>> awaitAnswers(List<StartRequest> requests) throws Exception {
        return AnswerRecords.await(Stack.get().kafka.bootstrapServers(),
                requests.stream().map(StartRequest::getRequestId).toList(), WAIT);
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return AnswerRecords.consumer(Stack.get().kafka.bootstrapServers());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
        return AnswerRecords.partitions(c, topic);
    }
}
