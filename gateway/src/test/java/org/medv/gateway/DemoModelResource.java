package org.medv.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.medv.model.DemoModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Writes the demo model (config, tokenizer, small random weights) to a temp dir: medv.model.dir for the test. */
public class DemoModelResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("medv-gateway-model");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DemoModel.write(dir, 7);
        return Map.of("medv.model.dir", dir.toString());
    }

    @Override
    public void stop() {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
