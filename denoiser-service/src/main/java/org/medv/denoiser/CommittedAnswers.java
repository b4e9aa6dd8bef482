package org.medv.denoiser;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of some request ids already have a committed answer record: read before final records whose commit is
 * uncertain are sent (again), i.e. those a dead process left and those of a commit that timed out. Called after
 * {@code initTransactions}, which settles every earlier transaction of the same {@code transactional.id}, so the
 * answer is final. Reads {@code read_committed} from {@code sinceMs} (record timestamps are the send time, after
 * the request finished) to the end.
 */
final class CommittedAnswers {
    /** Records are stamped when sent; this allows for clock steps between the finish and the send. */
    static final long MARGIN_MS = 60_000;

    private CommittedAnswers() {
    }

    static Set<String> find(Map<String, Object> kafka, String answersTopic, Set<String> ids, long sinceMs) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        Map<String, Object> props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove("transactional.id");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "medv-denoiser-committed-check");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(answersTopic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            long since = Math.max(0, sinceMs - MARGIN_MS);
            Map<TopicPartition, OffsetAndTimestamp> from = c.offsetsForTimes(parts.stream()
                    .collect(Collectors.toMap(p -> p, p -> since)));
            Map<TopicPartition, Long> end = c.endOffsets(parts); // read_committed: the last stable offsets
            for (TopicPartition p : parts) {
                OffsetAndTimestamp o = from.get(p);
                c.seek(p, o == null ? end.get(p) : o.offset());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("answers topic not read to its end within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (ids.contains(r.key())) {
                        found.add(r.key());
                    }
                }
            }
        }
        return found;
    }
}
