package org.medv.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.medv.proto.v1.DenoiseEvent;

/**
 * Consumes medv.denoise.steps in this replica's own consumer group (so it sees every event) and hands each event
 * to the registry, which keeps only this replica's requests. Parsing and a map lookup: nothing here blocks.
 */
@ApplicationScoped
public class StepRelay {
    private static final Logger LOG = Logger.getLogger(StepRelay.class);

    private final ClientRegistry clients;

    StepRelay(ClientRegistry clients) {
        this.clients = clients;
    }

    @Incoming("steps")
    public void relay(byte[] payload) {
        DenoiseEvent e;
        try {
            e = DenoiseEvent.parseFrom(payload);
        } catch (InvalidProtocolBufferException ex) {
            LOG.warnf("skipping a record of %d bytes that is not a DenoiseEvent", payload.length);
            return;
        }
        clients.deliver(e);
    }
}
