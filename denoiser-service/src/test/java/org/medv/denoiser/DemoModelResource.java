package org.medv.denoiser;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.medv.model.DemoModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Writes medv's small random demo model (seed 7) to a temporary directory and points medv.model.dir at it. */
public class DemoModelResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("medv-denoiser-model");
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
