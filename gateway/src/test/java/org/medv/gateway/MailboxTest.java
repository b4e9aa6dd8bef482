package org.medv.gateway;

import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.FinishReason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coalescing, final delivery, cancellation and the timers that end every request, without Quarkus. */
class MailboxTest {

    private static final class Recorder implements Mailbox.Hooks, Mailbox.Sink {
        final List<AnswerEvent> sent = new CopyOnWriteArrayList<>();
        /** Completes once the final event was sent, the sink finished and the registry told. */
        final CompletableFuture<AnswerEvent> finalSent = new CompletableFuture<>();
        final CompletableFuture<Void> abortedF = new CompletableFuture<>();
        volatile boolean takesFinal = true;
        volatile boolean ready = true;
        volatile boolean finished;
        volatile boolean closed;
        int dropped;
        int cancels;
        boolean aborted;
        final List<Mailbox.Timeout> timeouts = new CopyOnWriteArrayList<>();

        @Override
        public boolean ready(boolean last) {
            return last ? takesFinal : ready;
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
            // after the final event was sent and the sink finished
            if (!sent.isEmpty() && sent.get(sent.size() - 1).getFinal()) {
                finalSent.complete(sent.get(sent.size() - 1));
            }
        }

        @Override
        public void cancelGeneration(Mailbox box) {
            cancels++;
        }

        @Override
        public void abort() {
            aborted = true;
            abortedF.complete(null);
        }

        @Override
        public void timedOut(Mailbox box, Mailbox.Timeout why) {
            timeouts.add(why);
        }

        @Override
        public Future<?> after(long delayNanos, Runnable task) {
            return TIMERS.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor();
    private static final Mailbox.Limits LONG = new Mailbox.Limits(Duration.ofMinutes(1), null, Duration.ofMinutes(1));

    private static Mailbox box(Recorder r) {
        return box(r, LONG);
    }

    private static Mailbox box(Recorder r, Mailbox.Limits limits) {
        Mailbox m = new Mailbox("r", System.nanoTime(), true, limits, r);
        m.renderWith(e -> AnswerEvent.newBuilder().setRequestId(e.getRequestId()).setStep(e.getStep())
                .setFinal(e.getFinal()).setFinishReason(e.getFinishReason()).setError(e.getError()).build());
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

    @Test
    void aStartedGenerationThatGoesSilentEndsAsFailedUnavailableAfterTheStallTimeout() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofMillis(200), null, Duration.ofMinutes(1)));
        m.attach(r);
        m.markStarted();
        m.offer(step(1, false));
        long lastSign = System.nanoTime();
        AnswerEvent last = r.finalSent.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - lastSign >= Duration.ofMillis(200).toNanos(), "not before the timeout");
        assertEquals(FinishReason.FINISH_REASON_FAILED, last.getFinishReason());
        assertEquals("UNAVAILABLE", last.getError().getCode());
        assertEquals("denoiser-service stalled: no event for this request in 200 ms (medv.gateway.stall-timeout); "
                + "the generation was cancelled", last.getError().getMessage());
        assertEquals(1, last.getStep(), "the newest draft seen");
        assertEquals(List.of(Mailbox.Timeout.STALL), r.timeouts);
        assertEquals(1, r.cancels);
        assertTrue(r.finished && r.closed);
        m.offer(step(2, true));
        assertEquals(2, r.sent.size(), "the draft and the one final");
    }

    @Test
    void eachEventRearmsTheStallTimer() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofSeconds(1), null, Duration.ofMinutes(1)));
        m.attach(r);
        m.markStarted();
        // 3 s of drafts 100 ms apart, three stall timeouts long in all, then the real final
        int[] s = {0};
        Future<?> drafts = TIMERS.scheduleAtFixedRate(() -> m.offer(step(++s[0], s[0] == 30)), 100, 100,
                TimeUnit.MILLISECONDS);
        AnswerEvent last = r.finalSent.get(20, TimeUnit.SECONDS);
        drafts.cancel(false);
        assertEquals(30, last.getStep());
        assertEquals(FinishReason.FINISH_REASON_UNSPECIFIED, last.getFinishReason());
        assertEquals(List.of(), r.timeouts);
        assertEquals(0, r.cancels);
    }

    @Test
    void anAnswerLongerThanItsMaximumDurationEndsAsDeadline() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofMinutes(1), Duration.ofMillis(200), Duration.ofMinutes(1)));
        m.armMaxDuration();
        m.attach(r);
        m.markStarted();
        m.offer(step(3, false));
        AnswerEvent last = r.finalSent.get(10, TimeUnit.SECONDS);
        assertEquals(FinishReason.FINISH_REASON_DEADLINE, last.getFinishReason());
        assertEquals("DEADLINE_EXCEEDED", last.getError().getCode());
        assertEquals("the answer took longer than 200 ms (medv.gateway.sse-max-duration); the generation was "
                + "cancelled", last.getError().getMessage());
        assertEquals(List.of(Mailbox.Timeout.MAX_DURATION), r.timeouts);
        assertEquals(1, r.cancels);
    }

    @Test
    void aRequestEndedBeforeStartIsCancelledOnceStarted() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofMinutes(1)));
        m.armMaxDuration();
        m.attach(r);
        assertEquals(FinishReason.FINISH_REASON_DEADLINE, r.finalSent.get(10, TimeUnit.SECONDS).getFinishReason());
        assertEquals(0, r.cancels);
        m.markStarted();
        assertEquals(1, r.cancels);
    }

    @Test
    void aFinalNobodyTakesIsForgottenAndItsTransportEnded() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofMinutes(1), null, Duration.ofMillis(100)));
        m.attach(r);
        m.markStarted();
        r.takesFinal = false;
        m.offer(step(1, true));
        r.abortedF.get(10, TimeUnit.SECONDS);
        assertTrue(r.closed);
        assertEquals(List.of(Mailbox.Timeout.UNDELIVERED), r.timeouts);
        assertEquals(0, r.cancels, "the generation had ended");
        r.takesFinal = true;
        m.drain();
        assertEquals(0, r.sent.size());
    }

    @Test
    void aRequestRefusedBeforeStartLeavesNoTimerBehind() throws Exception {
        Recorder r = new Recorder();
        Mailbox m = box(r, new Mailbox.Limits(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50)));
        m.armMaxDuration();
        m.discard();
        // the timer thread is single: a marker due after every timer the mailbox armed runs after them
        TIMERS.schedule(() -> { }, 200, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), r.timeouts);
        assertEquals(0, r.cancels);
        assertFalse(r.closed);
    }
}
