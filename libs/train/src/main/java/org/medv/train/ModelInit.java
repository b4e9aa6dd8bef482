package org.medv.train;

import org.medv.model.DemoModel;
import org.medv.model.RandomModelWriter;
import org.medv.model.config.SpecialTokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the initial weights come from: a model directory MedvModel loads, a scratch model in the real layout
 * ({@code random:SPEC}, RandomModelWriter's N(0, 0.02) init, with the tokenizer of {@code tokenizer}), or the demo
 * model ({@code demo[:SEED]}). Scratch models are written to a temporary directory that {@link #close} deletes.
 */
public record ModelInit(Path directory, Path temporary) implements AutoCloseable {

    public static ModelInit resolve(String init, Path tokenizerDir) {
        try {
            if (init.startsWith("demo")) {
                long seed = init.contains(":") ? Long.parseLong(init.substring(init.indexOf(':') + 1).trim()) : 0L;
                Path tmp = Files.createTempDirectory("medv-train-init-");
                DemoModel.write(tmp, seed);
                return new ModelInit(tmp, tmp);
            }
            if (init.startsWith("random:")) {
                if (tokenizerDir == null || !Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
                    throw new IllegalArgumentException("init " + init + " needs \"tokenizer\": a directory with "
                            + "tokenizer.json");
                }
                Path tmp = Files.createTempDirectory("medv-train-init-");
                RandomModelWriter.write(tmp, RandomModelWriter.Spec.parse(init.substring("random:".length())),
                        SpecialTokens.load(tokenizerDir));
                for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
                    if (Files.isRegularFile(tokenizerDir.resolve(f))) {
                        Files.copy(tokenizerDir.resolve(f), tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return new ModelInit(tmp, tmp);
            }
            return new ModelInit(Path.of(init), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the initial model " + init, e);
        }
    }

    @Override
    public void close() {
        if (temporary == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(temporary)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + temporary, e);
        }
    }
}
