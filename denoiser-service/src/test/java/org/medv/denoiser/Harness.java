package org.medv.denoiser;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.restassured.RestAssured;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.medv.model.LoadOptions;
import org.medv.model.MedvModel;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.testkit.KafkaTestResource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the service tests share: a real gRPC client on the test port, the topics read back, the demo model. */
final class Harness implements AutoCloseable {
    final ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 9112).usePlaintext()
            .maxInboundMessageSize(64 << 20).build();
    final DenoiserGrpc.DenoiserBlockingStub stub = DenoiserGrpc.newBlockingStub(channel);

    /** Everything one request put on the two topics. */
    record Published(List<DenoiseEvent> steps, List<DenoiseEvent> finals, List<AnswerRecord> answers) {
        DenoiseEvent last() {
            return finals.get(0);
        }
    }

    static Path modelDir() {
        return Path.of(ConfigProvider.getConfig().getValue("medv.model.dir", String.class));
    }

    static MedvModel loadModel() {
        return MedvModel.load(LoadOptions.of(modelDir(), null));
    }

    static byte[] png() {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 40; x++) {
            img.setRGB(x, x % 30, 0xFFCC88);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Waits until /q/health/ready says UP (the engine thread loads the model after startup). */
    static void awaitReady() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (RestAssured.get("/q/health/ready").statusCode() != 200) {
            if (System.nanoTime() > until) {
                throw new AssertionError("readiness did not turn UP: " + RestAssured.get("/q/health/ready").asString());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Reads both topics from the beginning until {@code requestId}'s final event and answer record are there,
     * then a little longer so that a duplicate would show.
     */
    static Published collect(String requestId, Duration timeout) {
        List<DenoiseEvent> steps = new ArrayList<>();
        List<DenoiseEvent> finals = new ArrayList<>();
        List<AnswerRecord> answers = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(KafkaTestResource.STEPS, KafkaTestResource.ANSWERS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!requestId.equals(r.key())) {
                        continue;
                    }
                    if (r.topic().equals(KafkaTestResource.ANSWERS)) {
                        answers.add(parse(() -> AnswerRecord.parseFrom(r.value())));
                    } else {
                        DenoiseEvent e = parse(() -> DenoiseEvent.parseFrom(r.value()));
                        (e.getFinal() ? finals : steps).add(e);
                    }
                }
                if (!finals.isEmpty() && !answers.isEmpty() && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                }
            }
        }
        if (finals.isEmpty() || answers.isEmpty()) {
            throw new AssertionError("request " + requestId + ": no final event / answer within " + timeout
                    + " (steps " + steps.size() + ", finals " + finals.size() + ", answers " + answers.size() + ")");
        }
        return new Published(steps, finals, answers);
    }

    /**
     * A consumer positioned at the end of the steps topic <em>before</em> a request starts, so that seeing its first
     * step costs one produce-to-consume hop, not a consumer's start-up.
     */
    static final class StepWatcher implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer = consumer();

        StepWatcher() {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(KafkaTestResource.STEPS)
                    .forEach(p -> partitions.add(new TopicPartition(KafkaTestResource.STEPS, p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end offsets now, not at the first poll
        }

        void awaitFirstStep(String requestId, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    if (requestId.equals(r.key())) {
                        return;
                    }
                }
            }
            throw new AssertionError("request " + requestId + " published no step within " + timeout);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        String servers = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        // read_committed, as every consumer of the final records must: an aborted attempt is not a record
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The value of an un-tagged gauge or counter in /q/metrics (Prometheus text), 0 when absent. */
    static double metric(String name) {
        return RestAssured.get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Waits until {@code condition} holds, checking every 100 ms, or fails after {@code timeout}. */
    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private interface Parser<T> {
        T parse() throws com.google.protobuf.InvalidProtocolBufferException;
    }

    private static <T> T parse(Parser<T> p) {
        try {
            return p.parse();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("not a protobuf record", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
