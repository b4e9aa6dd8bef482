package org.medv.denoiser;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code medv.topics.*}: where the step events and the answer records go. */
@ConfigMapping(prefix = "medv.topics")
public interface TopicsConfig {
    @WithDefault("medv.denoise.steps")
    String steps();

    @WithDefault("medv.answers")
    String answers();

    /** Create missing topics at startup (off where topics are managed elsewhere). */
    @WithDefault("true")
    boolean provision();

    /** Partitions of created topics: requests spread over them by request id. */
    @WithDefault("3")
    int partitions();

    @WithDefault("1")
    short replicationFactor();

    /** Retention of the step events: drafts are only useful while a client watches. */
    @WithDefault("PT1H")
    java.time.Duration stepsRetention();

    /** Retention of the answer records, which evaluation pipelines read later. */
    @WithDefault("P7D")
    java.time.Duration answersRetention();
}
