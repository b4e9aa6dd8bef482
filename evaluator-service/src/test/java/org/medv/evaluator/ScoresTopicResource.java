package org.medv.evaluator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.medv.testkit.EmbeddedKafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker whose {@code medv.scores} already holds an earlier evaluator's scores when the application starts: run
 * "old-run" with q1 (a closed hit, written over an earlier miss), q2 (a closed miss) and q3 (deleted by a tombstone),
 * plus one value that is not a score. Rebuilt, "old-run" has 2 questions and closed accuracy 50.
 */
public class ScoresTopicResource implements QuarkusTestResourceLifecycleManager {
    static final String RUN = "old-run";

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, Topics.ANSWERS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                     new StringSerializer(), new StringSerializer())) {
            admin.createTopics(List.of(new NewTopic(Topics.SCORES, 3, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get(30, TimeUnit.SECONDS);
            for (String[] kv : List.of(
                    new String[] {RUN + "/q1", closed("q1", "no", false)},
                    new String[] {RUN + "/q2", closed("q2", "no", false)},
                    new String[] {RUN + "/q3", closed("q3", "yes", true)},
                    new String[] {RUN + "/q1", closed("q1", "yes", true)},
                    new String[] {RUN + "/q3", null},
                    new String[] {"corrupt/x", "{not a score"})) {
                producer.send(new ProducerRecord<>(Topics.SCORES, kv[0], kv[1])).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            kafka.close();
            throw new IllegalStateException("cannot pre-populate " + Topics.SCORES, e);
        }
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A closed VQA-RAD question's score, spelled out as the evaluator writes it (ground truth "yes"). */
    private static String closed(String questionId, String prediction, boolean hit) {
        double m = hit ? 1.0 : 0.0;
        return """
                {"runId":"%s","dataset":"vqa-rad","questionId":"%s","prediction":"%s","groundTruth":"yes",\
                "vqa":{"answerType":"CLOSED","hit":%s,"recall":%s,"precision":%s,"f1":%s,"exactMatch":%s},\
                "stats":{"tokens":3,"words":1,"steps":8,"timeMs":50,"repetition":0.0}}"""
                .formatted(RUN, questionId, prediction, hit, m, m, m, m);
    }
}
