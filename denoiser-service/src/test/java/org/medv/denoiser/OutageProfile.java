package org.medv.denoiser;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Final records wait in an outbox directory, and the producers give up on a record within seconds, as a plain
 * producer would drop it during an outage of that length.
 */
public class OutageProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("medv.denoiser.outbox-dir", Files.createTempDirectory("medv-outbox").toString(),
                    "kafka.max.block.ms", "2000",
                    "kafka.delivery.timeout.ms", "3000",
                    "kafka.request.timeout.ms", "1000");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
