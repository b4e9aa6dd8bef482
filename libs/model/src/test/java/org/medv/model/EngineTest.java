package org.medv.model;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of tests that need the PyTorch engine: one NDManager per test class, closed after it. */
public abstract class EngineTest {
    protected static NDManager manager;

    @BeforeAll
    static void openEngine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeEngine() {
        manager.close();
    }
}
