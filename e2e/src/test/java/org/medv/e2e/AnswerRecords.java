package org.medv.e2e;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.medv.proto.v1.AnswerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed records of {@code medv.answers}, read as the evaluator reads them (read_committed). */
final class AnswerRecords {
    private AnswerRecords() {
    }

    /**
     * The answer records of {@code requestIds} once each has one, read from the beginning to the end of the topic
     * at that moment, so that a second record already written would show (duplicates are in the lists).
     */
    static Map<String, List<AnswerRecord>> await(String bootstrap, Collection<String> requestIds, Duration wait)
            throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Map<String, List<AnswerRecord>> found = new HashMap<>();
            requestIds.forEach(id -> found.put(id, new ArrayList<>()));
            try (KafkaConsumer<String, byte[]> c = consumer(bootstrap)) {
                List<TopicPartition> parts = partitions(c, "medv.answers");
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (found.containsKey(r.key())) {
                            found.get(r.key()).add(AnswerRecord.parseFrom(r.value()));
                        }
                    }
                }
            }
            if (found.values().stream().noneMatch(List::isEmpty)) {
                return found;
            }
            List<String> missing = found.entrySet().stream().filter(e -> e.getValue().isEmpty())
                    .map(Map.Entry::getKey).toList();
            assertTrue(System.nanoTime() < deadline, "answers missing within " + wait + ": " + missing);
            Thread.sleep(250);
        }
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
        return c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }
}
