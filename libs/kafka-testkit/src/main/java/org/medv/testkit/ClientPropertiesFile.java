package org.medv.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Kafka client properties file (the format of the Kafka tools' {@code --command-config} and of
 * {@code ./medv up --kafka-config}) written from settings, such as {@link EmbeddedKafka#clientSecurity()}.
 */
public final class ClientPropertiesFile {
    private ClientPropertiesFile() {
    }

    /** Writes {@code settings} one {@code key=value} per line after a comment line; returns {@code file}. */
    public static Path write(Path file, Map<String, String> settings) {
        try {
            Files.writeString(file, settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("\n", "# Kafka client settings\n", "\n")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
