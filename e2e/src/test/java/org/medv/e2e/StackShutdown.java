package org.medv.e2e;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** Stops the shared stack when the test plan ends, before the JVM exits (a shutdown hook could be cut short). */
public class StackShutdown implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        Stack.closeIfStarted();
    }
}
