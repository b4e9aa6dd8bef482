package org.medv.denoiser;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.medv.testkit.EmbeddedKafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Missing topics are created with the configured partitions and retention; existing ones are left alone. */
class TopicProvisionerTest {

    @Test
    void createsMissingTopicsWithPartitionsAndRetention() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "existing.answers");
            TopicsConfig cfg = new TopicsConfig() {
                public String steps() {
                    return "fresh.steps";
                }

                public String answers() {
                    return "existing.answers";
                }

                public boolean provision() {
                    return true;
                }

                public int partitions() {
                    return 4;
                }

                public short replicationFactor() {
                    return 1;
                }

                public Duration stepsRetention() {
                    return Duration.ofMinutes(30);
                }

                public Duration answersRetention() {
                    return Duration.ofDays(7);
                }
            };
            Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
            TopicProvisioner.provision(props, cfg);
            TopicProvisioner.provision(props, cfg); // idempotent
            try (Admin admin = Admin.create(props)) {
                var topics = admin.describeTopics(List.of("fresh.steps", "existing.answers")).allTopicNames().get();
                assertEquals(4, topics.get("fresh.steps").partitions().size());
                assertEquals(1, topics.get("existing.answers").partitions().size(), "existing topic untouched");
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, "fresh.steps");
                Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
                assertEquals(Long.toString(Duration.ofMinutes(30).toMillis()),
                        c.get(TopicConfig.RETENTION_MS_CONFIG).value());
            }
        }
    }
}
