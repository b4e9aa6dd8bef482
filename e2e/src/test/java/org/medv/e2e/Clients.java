package org.medv.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AnswerRecord;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.GenerationOptions;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;

/** Real clients of the gateway: a gRPC channel and an HTTP client that reads server-sent events. */
final class Clients {
    private Clients() {
    }

    static ManagedChannel channel(int gateway) {
        return ManagedChannelBuilder.forAddress("localhost", Stack.grpc(gateway)).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }

    /** All events of one Ask, in order. */
    static List<AnswerEvent> ask(ManagedChannel channel, AskRequest request) {
        List<AnswerEvent> events = new ArrayList<>();
        Iterator<AnswerEvent> it = AssistantGrpc.newBlockingStub(channel)
                .withDeadlineAfter(120, java.util.concurrent.TimeUnit.SECONDS).ask(request);
        it.forEachRemaining(events::add);
        return events;
    }

    static AskRequest request(byte[] image, String question, int gen, int block, int steps) {
        AskRequest.Builder b = AskRequest.newBuilder().setQuestion(question).setOptions(GenerationOptions.newBuilder()
                .setGenLength(gen).setBlockLength(block).setSteps(steps));
        if (image != null) {
            b.setImage(ByteString.copyFrom(image));
        }
        return b.build();
    }

    /** A small scan-like grayscale PNG. */
    static byte[] png(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random r = new java.util.Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (int) (128 + 60 * Math.sin(x / 7.0) * Math.cos(y / 5.0)) + r.nextInt(20);
                img.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v)));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One server-sent event: its name and JSON data. */
    record Sse(String event, JsonObject data) {
    }

    record HttpAnswer(int status, List<Sse> events, String body) {
    }

    /** POST /v1/ask as multipart/form-data; reads the SSE stream to its end. */
    static HttpAnswer postMultipart(int gateway, byte[] image, Map<String, String> fields) {
        String boundary = "medv" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, String> f : fields.entrySet()) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
                        + "\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (image != null) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; "
                        + "filename=\"scan.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.write(image);
                body.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + Stack.http(gateway) + "/v1/ask"))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        try {
            HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(req,
                    HttpResponse.BodyHandlers.ofInputStream());
            List<Sse> events = new ArrayList<>();
            StringBuilder raw = new StringBuilder();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String event = "message";
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null) {
                    raw.append(line).append('\n');
                    if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && data.length() > 0) {
                        events.add(new Sse(event, JsonParser.parseString(data.toString()).getAsJsonObject()));
                        event = "message";
                        data.setLength(0);
                    }
                }
            }
            return new HttpAnswer(r.statusCode(), events, raw.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> fields(String question, int gen, int block, int steps) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("question", question);
        f.put("gen_length", Integer.toString(gen));
        f.put("block_length", Integer.toString(block));
        f.put("steps", Integer.toString(steps));
        return f;
    }

    /**
     * Every medv.answers record (read_committed) whose metadata label {@code key} is {@code value}, by request id,
     * read from the beginning to the end of the topic at this moment, so that a second record already written
     * would show.
     */
    static Map<String, List<AnswerRecord>> answersLabelled(String key, String value) throws Exception {
        Map<String, List<AnswerRecord>> found = new java.util.TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", Stack.get().kafka.bootstrapServers(), "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor("medv.answers").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    AnswerRecord a = AnswerRecord.parseFrom(r.value());
                    if (value.equals(a.getMetadata().getLabelsMap().get(key))) {
                        found.computeIfAbsent(a.getRequestId(), id -> new ArrayList<>()).add(a);
                    }
                }
            }
        }
        return found;
    }

    /** The request's record on medv.answers (read from the beginning). */
    static AnswerRecord awaitAnswer(String requestId, Duration timeout) throws Exception {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", Stack.get().kafka.bootstrapServers(),
                "group.id", "e2e-" + java.util.UUID.randomUUID(),
                "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("medv.answers"));
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (requestId.equals(r.key())) {
                        return AnswerRecord.parseFrom(r.value());
                    }
                }
            }
        }
        throw new AssertionError("no medv.answers record for " + requestId);
    }
}
