package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medv.deploy.Rendered.Workload;

/** The Strimzi resources: a KRaft cluster on node pools, medv's three topics, and services pointed at them. */
class KafkaTest {

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void oneKraftClusterOnNodePoolsWithThreeBrokers(String dir) {
        Rendered r = Rendered.of(dir);
        assertEquals(1, r.all(Kafka.class).size());
        Kafka kafka = r.all(Kafka.class).get(0);
        String cluster = kafka.getMetadata().getName();
        assertEquals(Map.of("strimzi.io/node-pools", "enabled", "strimzi.io/kraft", "enabled"),
                kafka.getMetadata().getAnnotations());
        int brokers = 0;
        int controllers = 0;
        for (KafkaNodePool pool : r.all(KafkaNodePool.class)) {
            String name = pool.getMetadata().getName();
            assertEquals(cluster, pool.getMetadata().getLabels().get("strimzi.io/cluster"), name);
            int replicas = pool.getSpec().getReplicas();
            brokers += pool.getSpec().getRoles().contains(ProcessRoles.BROKER) ? replicas : 0;
            controllers += pool.getSpec().getRoles().contains(ProcessRoles.CONTROLLER) ? replicas : 0;
        }
        assertTrue(brokers >= 3, dir + ": replication 3 needs three brokers, got " + brokers);
        assertTrue(controllers % 2 == 1, dir + ": an odd number of KRaft controllers, got " + controllers);
        Map<String, Object> config = kafka.getSpec().getKafka().getConfig();
        assertEquals(false, config.get("auto.create.topics.enable"));
        assertEquals(2, config.get("min.insync.replicas"));
        assertEquals(3, config.get("offsets.topic.replication.factor"));
        assertEquals(1, kafka.getSpec().getKafka().getListeners().size());
        GenericKafkaListener plain = kafka.getSpec().getKafka().getListeners().get(0);
        assertEquals(9092, plain.getPort());
        assertTrue(kafka.getSpec().getEntityOperator().getTopicOperator() != null,
                "the topic operator owns the topics");

        // every service connects to <cluster>-kafka-bootstrap:9092
        for (Workload w : r.workloads()) {
            assertEquals(cluster + "-kafka-bootstrap:" + plain.getPort(),
                    r.environment(w).get("KAFKA_BOOTSTRAP_SERVERS"), w.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void theThreeTopicsAreReplicatedThreeTimesWithTwoInSync(String dir) {
        Rendered r = Rendered.of(dir);
        String cluster = r.all(Kafka.class).get(0).getMetadata().getName();
        Map<String, KafkaTopic> topics = r.all(KafkaTopic.class).stream()
                .collect(Collectors.toMap(t -> t.getSpec().getTopicName(), t -> t));
        assertEquals(Set.of("medv.denoise.steps", "medv.answers", "medv.scores"), topics.keySet());
        topics.forEach((name, t) -> {
            assertEquals(cluster, t.getMetadata().getLabels().get("strimzi.io/cluster"), name);
            assertEquals(3, t.getSpec().getReplicas(), name);
            assertEquals(2, t.getSpec().getConfig().get("min.insync.replicas"), name);
            assertTrue(t.getSpec().getPartitions() >= 1, name);
        });
        assertEquals("compact", topics.get("medv.scores").getSpec().getConfig().get("cleanup.policy"));
        assertFalse(topics.get("medv.denoise.steps").getSpec().getConfig().containsKey("cleanup.policy"));
        // the services use these names, and the denoiser leaves their creation to the topic operator
        Map<String, String> denoiser = r.environment(r.workload("denoiser-service"));
        assertEquals("medv.denoise.steps", denoiser.get("MEDV_TOPICS_STEPS"));
        assertEquals("medv.answers", denoiser.get("MEDV_TOPICS_ANSWERS"));
        assertEquals("false", denoiser.get("MEDV_TOPICS_PROVISION"));
        Map<String, String> evaluator = r.environment(r.workload("evaluator-service"));
        assertEquals("medv.answers", evaluator.get("MEDV_EVALUATOR_ANSWERS_TOPIC"));
        assertEquals("medv.scores", evaluator.get("MEDV_EVALUATOR_SCORES_TOPIC"));
    }
}
