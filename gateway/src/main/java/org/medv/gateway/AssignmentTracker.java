package org.medv.gateway;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows whether the steps consumer has its partitions. On assignment it resolves each partition's position
 * ("latest") before reporting ready, so every event published after readiness turns UP is read: a request
 * accepted then cannot miss its first steps.
 */
@ApplicationScoped
@Identifier("medv-gateway-assignment")
public class AssignmentTracker implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(AssignmentTracker.class);

    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // runs on the consumer's polling thread, where position() may block briefly
        for (TopicPartition tp : partitions) {
            consumer.position(tp);
        }
        assigned.addAll(partitions);
        LOG.infof("steps consumer assigned %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
    }

    public boolean hasAssignment() {
        return !assigned.isEmpty();
    }

    public int partitions() {
        return assigned.size();
    }
}
