package org.medv.testkit;

import kafka.server.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Arrays;
import java.util.Map;

/** A real single-node KRaft broker in this JVM, on a random loopback port. */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() {
        try {
            KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                    .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "3")
                    .build();
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            return new EmbeddedKafka(c);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-process Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Stops the broker, as an outage looks to clients (its controller keeps running, its data stays); undone by
     * {@link #startBroker()}, which listens on the same port again.
     */
    public void stopBroker() {
        for (KafkaBroker b : cluster.brokers().values()) {
            b.shutdown();
            b.awaitShutdown();
        }
    }

    /** Starts the broker {@link #stopBroker()} stopped and waits until it serves again. */
    public void startBroker() {
        try {
            for (KafkaBroker b : cluster.brokers().values()) {
                b.startup();
            }
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the in-process Kafka broker", e);
        }
    }

    /** Creates topics with {@code partitions} partitions each (replication 1). */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + Arrays.toString(names), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the in-process Kafka broker", e);
        }
    }
}
