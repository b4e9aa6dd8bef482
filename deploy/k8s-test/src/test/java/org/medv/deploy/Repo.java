package org.medv.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository root: surefire passes {@code medv.repo.root} (Maven's top directory, which is the module's own when
 * Maven runs inside it), else the working directory; the first of it and its parents that holds deploy/k8s.
 */
final class Repo {

    private Repo() {
    }

    static Path root() {
        String configured = System.getProperty("medv.repo.root");
        Path start = configured == null || configured.isBlank() ? Path.of("") : Path.of(configured);
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/k8s")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found: set -Dmedv.repo.root");
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }
}
