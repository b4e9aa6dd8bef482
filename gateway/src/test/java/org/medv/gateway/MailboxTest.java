package org.medv.gateway;

import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coalescing, final delivery and cancellation, without Quarkus. */
class MailboxTest {

    private static final class Recorder implements Mailbox.Hooks, Mailbox.Sink {
        final List<AnswerEvent> sent = new ArrayList<>();
        boolean ready = true;
        boolean finished;
        boolean closed;
        int dropped;
        int cancels;

        @Override
        public boolean ready(boolean last) {
            return last || ready;
        }

        @Override
        public void send(AnswerEvent event) {
            sent.add(event);
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void sent(Mailbox box, boolean first, boolean last) {
        }

        @Override
        public void draftDropped(Mailbox box) {
            dropped++;
        }

        @Override
        public void closed(Mailbox box) {
            closed = true;
        }

        @Override
        public void cancelGeneration(Mailbox box) {
            cancels++;
        }
    }

    private static Mailbox box(Recorder r) {
        Mailbox m = new Mailbox("r", System.nanoTime(), true, r);
        m.renderWith(e -> AnswerEvent.newBuilder().setRequestId(e.getRequestId()).setStep(e.getStep())
                .setFinal(e.getFinal()).build());
        return m;
    }

    private static DenoiseEvent step(int s, boolean last) {
        return DenoiseEvent.newBuilder().setRequestId("r").setStep(s).setFinal(last).build();
    }

    @Test
    void aSlowClientGetsTheLatestDraftAndAlwaysTheFinal() {
        Recorder r = new Recorder();
        Mailbox m = box(r);
        m.attach(r);
        r.ready = false;
        for (int s = 1; s <= 5; s++) {
            m.offer(step(s, false));
        }
        assertEquals(0, r.sent.size());
        assertEquals(4, r.dropped);
        r.ready = true;
        m.drain();
        assertEquals(List.of(5), r.sent.stream().map(AnswerEvent::getStep).toList());
        r.ready = false;
        m.offer(step(6, false));
        m.offer(step(7, true));
        assertEquals(7, r.sent.get(r.sent.size() - 1).getStep());
        assertTrue(r.sent.get(r.sent.size() - 1).getFinal());
        assertTrue(r.finished && r.closed);
        m.offer(step(8, false));
        assertEquals(2, r.sent.size(), "nothing after the final event");
    }

    @Test
    void eventsBeforeAttachWait() {
        Recorder r = new Recorder();
        Mailbox m = box(r);
        m.offer(step(1, false));
        m.offer(step(2, true));
        assertTrue(r.sent.isEmpty());
        m.attach(r);
        assertEquals(1, r.sent.size());
        assertTrue(r.sent.get(0).getFinal());
    }

    @Test
    void aClientGoneBeforeStartIsCancelledOnceStarted() {
        Recorder r = new Recorder();
        Mailbox m = box(r);
        m.clientGone();
        assertEquals(0, r.cancels);
        m.markStarted();
        assertEquals(1, r.cancels);
        Recorder r2 = new Recorder();
        Mailbox m2 = box(r2);
        m2.markStarted();
        m2.attach(r2);
        m2.clientGone();
        m2.clientGone();
        assertEquals(1, r2.cancels);
        assertFalse(r2.finished);
    }

    @Test
    void noCancelAfterTheFinal() {
        Recorder r = new Recorder();
        Mailbox m = box(r);
        m.markStarted();
        m.attach(r);
        m.offer(step(1, true));
        m.clientGone();
        assertEquals(0, r.cancels);
    }
}
