package org.medv.vision;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.medv.model.DemoModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Writes the demo model (56 px images, 14 px patches: 16 rows of 64) into a temporary medv.model.dir. */
public class DemoModelResource implements QuarkusTestResourceLifecycleManager {
    static final long SEED = 11;

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("medv-vision-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DemoModel.write(dir, SEED);
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
