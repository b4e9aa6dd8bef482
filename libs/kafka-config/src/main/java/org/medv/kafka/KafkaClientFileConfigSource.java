package org.medv.kafka;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the properties of the file named by {@value KafkaClientFile#CONFIG_KEY} into a service's configuration as
 * {@code kafka.<key>}. Quarkus builds its {@code default-kafka-broker} map, which every Kafka client of the services
 * is made from (the denoiser's producers and topic admin, the gateway's steps consumer, the evaluator's consumers,
 * producer and admin, SmallRye channels), from all {@code kafka.*} keys, so one file reaches them all.
 * Registered through {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 *
 * <p>Ordinal {@value #ORDINAL}: above {@code application.properties} (250), below environment variables (300) and
 * system properties (400), so {@code ./medv up}'s {@code -Dkafka.bootstrap.servers} still names the cluster.
 */
public final class KafkaClientFileConfigSource implements ConfigSourceFactory {
    static final int ORDINAL = 270;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue file = context.getValue(KafkaClientFile.CONFIG_KEY);
        if (file == null || file.getValue() == null || file.getValue().isBlank()) {
            return List.of();
        }
        Map<String, String> prefixed = new HashMap<>();
        KafkaClientFile.read(Path.of(file.getValue().trim())).forEach((k, v) -> prefixed.put("kafka." + k, v));
        return List.of(new FileSource(prefixed, file.getValue().trim()));
    }

    /** A map-backed source; its name says where the settings came from, never what they are. */
    private static final class FileSource extends MapBackedConfigSource {
        private static final long serialVersionUID = 1L;

        FileSource(Map<String, String> settings, String file) {
            super(KafkaClientFile.CONFIG_KEY + " " + file, settings, ORDINAL);
        }
    }
}
