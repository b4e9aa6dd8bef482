package org.medv.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.medv.model.DemoModel;
import org.medv.model.config.GenerationDefaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code @QuarkusTestResource(DemoModelTestResource.class)}: writes medv's demo model (small random weights, own
 * vocabulary and tokenizer, 64 px images in 16 px patches) to a temporary directory and points
 * {@code medv.model.dir} at it. Init args named after {@code generation_config.json}'s sampler keys
 * ({@code @ResourceArg(name = "gen_length", value = "16")}, ...) are declared there as the model's defaults.
 */
public class DemoModelTestResource implements QuarkusTestResourceLifecycleManager {
    public static final long SEED = 7;

    private final Map<String, Object> generationDefaults = new LinkedHashMap<>();
    private Path dir;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((k, v) -> generationDefaults.put(k, k.equals("remasking") ? v : new BigDecimal(v)));
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("medv-demo-model");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DemoModel.write(dir, SEED);
        if (!generationDefaults.isEmpty()) {
            GenerationDefaults.declare(dir, generationDefaults);
        }
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
            // a temporary directory left behind is harmless
        }
    }
}
