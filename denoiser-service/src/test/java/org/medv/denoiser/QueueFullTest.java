package org.medv.denoiser;

import org.medv.testkit.DemoModelTestResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.medv.model.MedvModel;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;
import org.medv.testkit.KafkaTestResource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queue capacity 1 and step stride 4: a full queue refuses at once and the service keeps serving. */
@QuarkusTest
@TestProfile(SmallQueueProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DemoModelTestResource.class)
class QueueFullTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aFullQueueRefusesAtOnceAndTheServiceKeepsServing() throws Exception {
        Harness.awaitReady();
        try (MedvModel model = Harness.loadModel(); Harness harness = new Harness()) {
            List<StartRequest> accepted = new ArrayList<>();
            StatusRuntimeException refused = null;
            long refusedUnixNanos = 0;
            for (int i = 0; i < 5 && refused == null; i++) {
                StartRequest r = Requests.textOnly(model, Requests.options(512, 512, 512, true)).build();
                try {
                    harness.stub.start(r);
                    accepted.add(r);
                } catch (StatusRuntimeException e) {
                    refused = e;
                    refusedUnixNanos = unixNanos();
                }
            }
            assertTrue(refused != null, "one running + one waiting fill a queue of capacity 1");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
            assertEquals(2, accepted.size());

            for (StartRequest r : accepted) {
                harness.stub.cancel(CancelRequest.newBuilder().setRequestId(r.getRequestId()).build());
            }
            for (StartRequest r : accepted) {
                Harness.Published p = Harness.collect(r.getRequestId(), WAIT);
                // "at once": the refusal did not wait for a place, it came while both were still unfinished
                assertTrue(p.last().getPublishedUnixNanos() > refusedUnixNanos, "refused before any slot freed");
                assertEquals(1, p.finals().size());
                assertEquals(1, p.answers().size());
            }

            StartRequest next = Requests.textOnly(model, Requests.options(16, 16, 16, true)).build();
            harness.stub.start(next);
            Harness.Published p = Harness.collect(next.getRequestId(), WAIT);
            assertEquals(FinishReason.FINISH_REASON_LENGTH, p.last().getFinishReason());
            assertEquals(List.of(4, 8, 12, 16), p.steps().stream().map(DenoiseEvent::getStep).toList(),
                    "stride 4 publishes every 4th step");
            assertEquals(1, p.finals().size());
        }
    }

    private static long unixNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
