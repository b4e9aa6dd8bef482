package org.medv.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * {@code @QuarkusTestResource(KafkaTestResource.class)}: starts a real in-process KRaft broker, creates medv's
 * topics and points the application at it ({@code kafka.bootstrap.servers}).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    public static final String STEPS = "medv.denoise.steps";
    public static final String ANSWERS = "medv.answers";

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(3, STEPS, ANSWERS);
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    /** Hands the broker to test fields annotated {@link InjectKafka} (to stop and restart it). */
    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.AnnotatedAndMatchesType(InjectKafka.class,
                EmbeddedKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
