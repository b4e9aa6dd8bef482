package org.medv.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.Test;
import org.medv.cli.stack.LocalStack;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AssistantGrpc;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming path against a Kafka broker in a container (apache/kafka, KRaft): runs where a Docker engine exists,
 * skipped cleanly where none does (this project's CI machines have none; the in-process broker covers them).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaE2ETest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Test
    void askThroughAContainerBroker() throws Exception {
        Path run = Files.createDirectories(Stack.repoRoot().resolve("e2e/target/container-stack"));
        Path model = Stack.repoRoot().resolve("models/demo");
        LocalStack.Settings s = new LocalStack.Settings(Stack.repoRoot(), model, run, KAFKA.getBootstrapServers(), 0,
                29000, 28080, 29101, 28101, 29102, 28102, 1, List.of(), 0, List.of());
        try (LocalStack stack = new LocalStack(s).start()) {
            ManagedChannel ch = ManagedChannelBuilder.forAddress("localhost", 29000).usePlaintext().build();
            try {
                AnswerEvent e = AssistantGrpc.newBlockingStub(ch).askOnce(Clients.request(Clients.png(32, 32, 1),
                        "Is there a lesion?", 8, 8, 8));
                assertTrue(e.getFinal());
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
