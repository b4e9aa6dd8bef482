package org.medv.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller) as a local process, from the classpath that
 * {@code deploy/kafka-broker} collects: storage formatted once, then {@code kafka.Kafka server.properties}.
 */
public final class KafkaBroker {
    private KafkaBroker() {
    }

    /** A Kafka cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints). */
    static String clusterId() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static ManagedProcess start(Path repoRoot, Path dataDir, int port, int controllerPort, Path logDir) {
        Path lib = repoRoot.resolve("deploy/kafka-broker/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("Kafka broker classpath missing: " + lib + " (build with mvn install)");
        }
        String cp = lib + "/*";
        try {
            Files.createDirectories(dataDir);
            Path props = dataDir.resolve("server.properties");
            Files.writeString(props, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                    "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://localhost:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + dataDir.resolve("logs"),
                    "num.partitions=3",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=24",
                    "") );
            if (!Files.exists(dataDir.resolve("logs/meta.properties"))) {
                String java = ManagedProcess.javaBinary();
                Process format = new ProcessBuilder(java, "-cp", cp, "kafka.tools.StorageTool", "format",
                        "--standalone", "-t", clusterId(),
                        "-c", props.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("kafka.log").toFile()))
                        .start();
                if (format.waitFor() != 0) {
                    throw new IllegalStateException("formatting Kafka storage failed; see " + logDir.resolve("kafka.log"));
                }
            }
            ManagedProcess broker = ManagedProcess.start("kafka", List.of(ManagedProcess.javaBinary(), "-Xmx512m",
                    "-cp", cp, "kafka.Kafka", props.toString()), logDir.resolve("kafka.log"));
            broker.awaitPort("localhost", port, Duration.ofSeconds(60));
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
