package org.medv.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A Kafka client properties file (the format {@code kafka-console-producer --command-config} reads): the cluster's
 * security settings ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}, ...) that every Kafka client of medv applies on top of its own settings. The file
 * holds secrets: nothing here puts a value into a message or a log, only the file's path and the key names.
 */
public final class KafkaClientFile {
    /** The configuration key (and -D property) that names the file; unset means no extra settings. */
    public static final String CONFIG_KEY = "medv.kafka.config-file";

    private KafkaClientFile() {
    }

    /**
     * The file's properties, keys as written (without a {@code kafka.} prefix).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, unreadable, empty key)
     */
    public static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(CONFIG_KEY + ": " + file + " is not a file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            // Properties.load reports a malformed \\uXXXX escape with the offending text: keep only its kind
            throw new IllegalArgumentException(CONFIG_KEY + ": cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            String k = key.trim();
            if (k.isEmpty()) {
                throw new IllegalArgumentException(CONFIG_KEY + ": " + file + " has a line with an empty key");
            }
            settings.put(k, p.getProperty(key).trim());
        }
        return settings;
    }
}
