package org.medv.cli.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.medv.kafka.KafkaClientFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Before any service starts against a given cluster: a client with the settings every service will use (those of
 * {@code --kafka-config}, if any) must be let in, or {@code up} stops with the reason instead of waiting minutes for
 * services that cannot reach Kafka. Kafka's own messages name the failure (an authentication error names the
 * mechanism, never the secret); the settings' values are never repeated here.
 */
final class KafkaPreflight {
    private KafkaPreflight() {
    }

    static void check(String bootstrap, Path configFile, Duration timeout) {
        Map<String, Object> props = new HashMap<>(configFile == null ? Map.of() : KafkaClientFile.read(configFile));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        String with = configFile == null
                ? " (no --kafka-config given: a cluster that requires SASL or TLS refuses a plain client; pass its "
                        + "client settings with --kafka-config FILE)"
                : " with the settings of " + configFile;
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            throw new IllegalStateException("cannot make a Kafka client" + with + ": " + e.getClass().getSimpleName()
                    + (e.getCause() != null ? " caused by " + e.getCause().getClass().getSimpleName() : ""));
        }
        try (admin) {
            admin.describeCluster().clusterId().get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("Kafka at " + bootstrap + " did not let medv's client in within "
                    + timeout.toSeconds() + " s" + with + ": " + c.getClass().getSimpleName() + ": " + c.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka at " + bootstrap);
        }
    }
}
