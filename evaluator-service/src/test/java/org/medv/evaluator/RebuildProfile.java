package org.medv.evaluator;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/** The application started against a broker whose scores topic an earlier evaluator has filled. */
public class RebuildProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScoresTopicResource.class));
    }
}
