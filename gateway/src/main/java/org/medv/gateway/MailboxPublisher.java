package org.medv.gateway;

import org.medv.proto.v1.AnswerEvent;

import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mailbox as a reactive-streams publisher (one subscriber: the SSE response). Events go out only against
 * demand, so a slow HTTP client makes drafts coalesce in the mailbox; cancelling (the connection closed) is the
 * client going away.
 */
final class MailboxPublisher implements Flow.Publisher<AnswerEvent> {
    private final Mailbox box;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    MailboxPublisher(Mailbox box) {
        this.box = box;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super AnswerEvent> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("a request's events have one subscriber"));
            return;
        }
        Subscription s = new Subscription(subscriber);
        subscriber.onSubscribe(s);
        box.attach(s);
    }

    private final class Subscription implements Flow.Subscription, Mailbox.Sink {
        private final Flow.Subscriber<? super AnswerEvent> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private volatile boolean cancelled;

        Subscription(Flow.Subscriber<? super AnswerEvent> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request(" + n + ") violates reactive streams §3.9"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            box.drain();
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                box.clientGone();
            }
        }

        @Override
        public boolean ready(boolean last) {
            return !cancelled && demand.get() > 0;
        }

        @Override
        public void send(AnswerEvent event) {
            demand.decrementAndGet();
            subscriber.onNext(event);
        }

        @Override
        public void finish() {
            cancelled = true;
            subscriber.onComplete();
        }

        @Override
        public void abort() {
            // reactive streams allow completion without demand: the response ends
            finish();
        }
    }
}
