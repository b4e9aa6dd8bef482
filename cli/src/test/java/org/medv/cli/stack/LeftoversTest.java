package org.medv.cli.stack;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second {@code ./medv up} in the same run directory must not kill the services of one that is still running (its
 * supervisor restarted them, and both stacks broke): a child is a leftover only when no live {@code up} owns it.
 */
class LeftoversTest {
    @Test
    void aChildWhoseUpIsAliveHasALiveOwnerAndAnOrphanHasNone() throws Exception {
        String self = ProcessHandle.current().info().commandLine().orElseThrow();
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            ProcessHandle h = child.toHandle();
            assertEquals(ProcessHandle.current().pid(),
                    LocalStack.liveOwner(h, self::equals).orElseThrow().pid(), "this JVM owns the child");
            assertFalse(LocalStack.liveOwner(h, c -> false).isPresent(), "an owner that is not an up is no owner");
        } finally {
            child.destroy();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void recognisesTheUpCommandLine() {
        assertTrue(LocalStack.isUp("/usr/bin/java -XX:+UseG1GC -jar /work/main/cli/target/medv-cli.jar up"));
        assertTrue(LocalStack.isUp("java -jar /x/medv-cli.jar up --model models/demo --gateways 2"));
        assertFalse(LocalStack.isUp("java -jar /x/medv-cli.jar eval run --dataset synth --data d"));
        assertFalse(LocalStack.isUp("java -jar /x/quarkus-run.jar up"));
    }
}
