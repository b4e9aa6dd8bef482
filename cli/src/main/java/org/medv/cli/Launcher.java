package org.medv.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Facts the ./medv launcher passes in. */
final class Launcher {
    private Launcher() {
    }

    /** The repository root: {@code -Dmedv.home} from ./medv, else the first parent holding pom.xml and medv. */
    static Path repoRoot() {
        String home = System.getProperty("medv.home");
        if (home != null) {
            return Path.of(home);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("medv")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        return Path.of("").toAbsolutePath();
    }
}
