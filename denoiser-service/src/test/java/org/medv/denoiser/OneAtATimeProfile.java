package org.medv.denoiser;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * One request at a time: a second request waits in the queue until the first ends, instead of joining its batch at
 * the next step (so "queued" does not depend on how fast a step is; batching is EngineTest's).
 */
public class OneAtATimeProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("medv.denoiser.max-batch", "1");
    }
}
