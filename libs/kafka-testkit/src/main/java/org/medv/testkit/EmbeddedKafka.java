package org.medv.testkit;

import kafka.server.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** A real single-node KRaft broker in this JVM, on a random loopback port. */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Map<String, String> clientSecurity;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Map<String, String> clientSecurity) {
        this.cluster = cluster;
        this.clientSecurity = clientSecurity;
    }

    public static EmbeddedKafka start() {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * A broker whose client listener takes SASL_PLAINTEXT with the PLAIN mechanism only, and authorizes by ACL
     * (Kafka's test kit: user {@value JaasUtils#KAFKA_PLAIN_ADMIN} is a super user, others get nothing). A client
     * without {@link #clientSecurity()} is refused.
     */
    public static EmbeddedKafka startSasl() {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    private static EmbeddedKafka start(SecurityProtocol protocol) {
        try {
            KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                    .setBrokerSecurityProtocol(protocol).setControllerSecurityProtocol(protocol)
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
            return new EmbeddedKafka(c, protocol == SecurityProtocol.SASL_PLAINTEXT ? Map.of(
                    "security.protocol", "SASL_PLAINTEXT",
                    "sasl.mechanism", "PLAIN",
                    "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                            + JaasUtils.KAFKA_PLAIN_ADMIN + "\" password=\"" + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD + "\";")
                    : Map.of());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-process Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The client settings this broker's listener needs (SASL user and password), empty for a plaintext broker. */
    public Map<String, String> clientSecurity() {
        return clientSecurity;
    }

    /** Settings for a test's own client: the bootstrap servers and {@link #clientSecurity()}. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new HashMap<>(clientSecurity);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
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
        try (Admin admin = Admin.create(clientProperties())) {
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
