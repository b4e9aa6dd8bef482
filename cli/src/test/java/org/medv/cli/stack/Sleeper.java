package org.medv.cli.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process for the supervisor tests: prints {@code up <pid>}, then, given a marker file that does not exist
 * yet and an exit code, creates the file and exits with that code (a crash on the first run only); otherwise it
 * sleeps until it is stopped.
 */
public final class Sleeper {
    private Sleeper() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("up " + ProcessHandle.current().pid());
        System.out.flush();
        if (args.length == 2 && !Files.exists(Path.of(args[0]))) {
            Files.createFile(Path.of(args[0]));
            System.exit(Integer.parseInt(args[1]));
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
