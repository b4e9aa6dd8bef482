package org.medv.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the golden fixtures copied into {@code testdata/golden} (the upstream reference outputs). */
public final class Golden {
    private Golden() {
    }

    public static Path repoRoot() {
        String p = System.getProperty("medv.repo.root");
        Path start = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("testdata/golden"))) {
                return d;
            }
        }
        throw new IllegalStateException("testdata/golden not found above " + start);
    }

    /** {@code testdata/golden/tiny-llada-medv}: the plain (pad) image path. */
    public static Path base() {
        return repoRoot().resolve("testdata/golden/tiny-llada-medv");
    }

    /** {@code testdata/golden/tiny-llada-medv-anyres}: the multi-crop image path. */
    public static Path anyres() {
        return repoRoot().resolve("testdata/golden/tiny-llada-medv-anyres");
    }

    public static JsonObject expected(Path set) {
        try {
            return JsonParser.parseString(Files.readString(set.resolve("expected.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
