package org.medv.denoiser;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** One request at a time, one waiting slot, and every 4th step published. */
public class SmallQueueProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("medv.denoiser.max-batch", "1", "medv.denoiser.queue-capacity", "1",
                "medv.denoiser.step-stride", "4");
    }
}
