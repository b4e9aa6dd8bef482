package org.medv.denoiser;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.medv.model.MedvModel;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;
import org.medv.testkit.DemoModelTestResource;
import org.medv.testkit.EmbeddedKafka;
import org.medv.testkit.InjectKafka;
import org.medv.testkit.KafkaTestResource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker stops while requests run and more arrive, stays away longer than the producers' delivery timeout,
 * then comes back: every request still has exactly one final event and one answer record, none lost.
 */
@QuarkusTest
@TestProfile(OutageProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DemoModelTestResource.class)
class BrokerOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @InjectKafka
    EmbeddedKafka kafka;

    @Test
    void finalsOfRequestsEndingDuringAnOutageArePublishedOnceWhenTheBrokerReturns() throws Exception {
        Harness.awaitReady();
        try (MedvModel model = Harness.loadModel(); Harness harness = new Harness()) {
            List<StartRequest> requests = new ArrayList<>();
            try (Harness.StepWatcher watcher = new Harness.StepWatcher()) {
                for (int i = 0; i < 3; i++) {
                    StartRequest r = Requests.textOnly(model, Requests.options(512, 512, 512, true)).build();
                    harness.stub.start(r);
                    requests.add(r);
                }
                watcher.awaitFirstStep(requests.get(2).getRequestId(), WAIT);
            }
            kafka.stopBroker();
            StartRequest during = Requests.textOnly(model, Requests.options(512, 512, 512, true)).build();
            harness.stub.start(during); // accepted while the broker is away
            requests.add(during);
            double failuresBefore = Harness.metric("medv_denoiser_publish_failures_total");

            // every request ends during the outage: cancelled, until Cancel no longer finds it
            for (StartRequest r : requests) {
                Harness.await("request " + r.getRequestId() + " finished", WAIT, () -> !harness.stub.cancel(
                        CancelRequest.newBuilder().setRequestId(r.getRequestId()).build()).getFound());
            }
            assertTrue(Harness.metric("medv_denoiser_pending_finals") >= 1, "finals wait for the broker");
            Harness.await("attempts beyond the delivery timeout", WAIT,
                    () -> Harness.metric("medv_denoiser_publish_failures_total") >= failuresBefore + 3);
            kafka.startBroker();

            for (StartRequest r : requests) {
                Harness.Published p = Harness.collect(r.getRequestId(), WAIT);
                assertEquals(1, p.finals().size(), "final events of " + r.getRequestId());
                assertEquals(1, p.answers().size(), "answer records of " + r.getRequestId());
                assertEquals(FinishReason.FINISH_REASON_CANCELLED, p.answers().get(0).getFinishReason());
                assertEquals(p.last().getText(), p.answers().get(0).getText());
            }
            Harness.await("the outbox drained", WAIT, () -> Harness.metric("medv_denoiser_pending_finals") == 0);
        }
    }
}
