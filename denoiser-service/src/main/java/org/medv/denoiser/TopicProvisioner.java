package org.medv.denoiser;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Creates medv's topics with the configured partitions, replication and retention when they do not exist yet (an
 * existing topic is left as it is). Runs on its own thread so that a missing broker never delays startup.
 */
final class TopicProvisioner {
    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {
    }

    static void provisionInBackground(Map<String, Object> kafka, TopicsConfig topics) {
        if (!topics.provision()) {
            return;
        }
        Thread t = new Thread(() -> provision(kafka, topics), "medv-topic-provisioner");
        t.setDaemon(true);
        t.start();
    }

    static void provision(Map<String, Object> kafka, TopicsConfig topics) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.putIfAbsent("default.api.timeout.ms", 60_000);
        try (Admin admin = Admin.create(props)) {
            for (NewTopic topic : List.of(
                    topic(topics.steps(), topics, topics.stepsRetention().toMillis()),
                    topic(topics.answers(), topics, topics.answersRetention().toMillis()))) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                    LOG.infof("created topic %s (%d partitions, retention %d ms)", topic.name(),
                            topic.numPartitions(), Long.parseLong(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG)));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warnf("cannot create topic %s: %s", topic.name(), e.getCause().getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("topic provisioning failed: %s", e.getMessage());
        }
    }

    private static NewTopic topic(String name, TopicsConfig topics, long retentionMs) {
        return new NewTopic(name, topics.partitions(), topics.replicationFactor())
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs)));
    }
}
