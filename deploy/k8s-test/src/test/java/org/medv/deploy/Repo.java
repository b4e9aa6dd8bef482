package org.medv.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root: surefire passes it as {@code medv.repo.root}; from an IDE, the working directory's parents. */
final class Repo {

    private Repo() {
    }

    static Path root() {
        String configured = System.getProperty("medv.repo.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
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
