package org.medv.denoiser;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.medv.serving.TraceContext;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.medv.serving.Backoff;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends the outbox's final records with Kafka transactions, on its own thread ({@code medv-kafka-finals}): a
 * request's final {@code DenoiseEvent} (steps topic) and its {@code AnswerRecord} (answers topic) are committed
 * together or not at all, so a {@code read_committed} consumer sees both once or neither. The
 * {@code transactional.id} is stable per denoiser instance: a restarted instance's {@code initTransactions} fences
 * the process it replaces and settles that process's open transaction before anything is sent.
 *
 * <p>Nothing is dropped: after a failure the batch stays at the head of the outbox, the producer is replaced (its
 * {@code initTransactions} aborts what the old one left open) and the loop retries, 0.2 s doubling to 5 s, until the
 * broker is back. A commit that timed out is retried on the same producer rather than sent again; if it still
 * fails, or a previous process left records, the answers topic is read for their ids before they are sent
 * ({@link CommittedAnswers}), so an uncertain commit never becomes a second record.
 */
final class FinalPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FinalPublisher.class);
    static final int MAX_BATCH = 32;
    /** How long a request's final waits for its step events to be acknowledged (they come first in the topic). */
    private static final long STEPS_WAIT_MS = 30_000;

    private final Map<String, Object> kafka;
    private final String stepsTopic;
    private final String answersTopic;
    private final String transactionalId;
    private final FinalOutbox outbox;
    private final Runnable attemptFailed;
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    private final Thread thread;
    /** Ids whose commit is uncertain: checked against the answers topic after the next initTransactions. */
    private final Set<String> uncertain = new LinkedHashSet<>();
    private long uncertainSince = Long.MAX_VALUE;
    private volatile boolean closing;
    private KafkaProducer<String, byte[]> producer;

    /** @param attemptFailed called once per failed attempt (metrics); must not block */
    FinalPublisher(Map<String, Object> kafka, String stepsTopic, String answersTopic, String transactionalId,
                   FinalOutbox outbox, Runnable attemptFailed) {
        this.kafka = kafka;
        this.stepsTopic = stepsTopic;
        this.answersTopic = answersTopic;
        this.transactionalId = transactionalId;
        this.outbox = outbox;
        this.attemptFailed = attemptFailed;
        uncertain.addAll(outbox.recoveredIds());
        if (!uncertain.isEmpty()) {
            uncertainSince = outbox.recoveredSince();
        }
        this.thread = new Thread(this::run, "medv-kafka-finals");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            while (!closing) {
                List<FinalOutbox.Entry> batch = List.of();
                try {
                    if (producer == null) {
                        producer = newProducer();
                        producer.initTransactions();
                        settleUncertain();
                    }
                    batch = outbox.peek(MAX_BATCH, 200);
                    if (!batch.isEmpty()) {
                        awaitSteps(batch);
                        send(batch);
                        outbox.committed(batch);
                        if (backoff.failures() > 0) {
                            LOG.infof("final records committed again after %d failed attempt(s)", backoff.failures());
                        }
                        backoff.reset();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!closing) {
                        failed(e, batch);
                    }
                }
            }
        } finally {
            closeProducer();
        }
    }

    /** One transaction: the batch's final events and answer records, then the commit. */
    private void send(List<FinalOutbox.Entry> batch) throws InterruptedException {
        producer.beginTransaction();
        for (FinalOutbox.Entry e : batch) {
            producer.send(traced(new ProducerRecord<>(stepsTopic, e.requestId(), e.finalEvent().toByteArray()),
                    e.finalEvent().getTraceparent()));
            producer.send(traced(new ProducerRecord<>(answersTopic, e.requestId(), e.answer().toByteArray()),
                    e.answer().getTraceparent()));
        }
        boolean timedOut = false;
        while (true) {
            try {
                producer.commitTransaction();
                if (timedOut) {
                    batch.forEach(b -> uncertain.remove(b.requestId())); // settled: committed
                }
                return;
            } catch (TimeoutException e) {
                // the outcome is unknown: retry the commit itself (the producer resumes it), never re-send
                if (!timedOut) {
                    timedOut = true;
                    batch.forEach(b -> uncertain.add(b.requestId()));
                    uncertainSince = Math.min(uncertainSince, batch.stream()
                            .mapToLong(b -> b.answer().getFinishedUnixMs()).min().orElse(uncertainSince));
                }
                attemptFailed.run();
                LOG.debugf("commit of %d final record pair(s) timed out; retrying it", batch.size());
                if (closing) {
                    throw e;
                }
                Thread.sleep(backoff.next().toMillis());
            }
        }
    }

    /** Drops the uncertain entries the answers topic already holds: their commit went through after all. */
    private void settleUncertain() {
        if (uncertain.isEmpty()) {
            return;
        }
        Set<String> found = CommittedAnswers.find(kafka, answersTopic, Set.copyOf(uncertain), uncertainSince);
        outbox.alreadyCommitted(found);
        uncertain.clear();
        uncertainSince = Long.MAX_VALUE;
    }

    /** Waits (bounded) until the batch's step events are acknowledged, so that the finals follow them. */
    private static void awaitSteps(List<FinalOutbox.Entry> batch) throws InterruptedException {
        CompletableFuture<?>[] steps = batch.stream().map(e -> e.afterSteps().exceptionally(t -> null))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(steps).get(STEPS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debugf("step events still unacknowledged after %d ms; sending the finals", STEPS_WAIT_MS);
        }
    }

    private void failed(RuntimeException e, List<FinalOutbox.Entry> batch) {
        attemptFailed.run();
        Duration delay = backoff.next();
        if (backoff.failures() == 1) {
            int waiting = outbox.size();
            LOG.warnf("%s (%s); retrying until the broker takes them", waiting == 0
                    ? "the transactional producer is not ready" : waiting + " final record pair(s) not committed",
                    e.toString());
        } else {
            LOG.debugf("final records still not committed (attempt %d): %s", backoff.failures(), e.toString());
        }
        if (e instanceof org.apache.kafka.common.errors.ProducerFencedException) {
            LOG.errorf("transactional.id %s was taken by another producer: is a second denoiser running with "
                    + "the same medv.denoiser.instance-id?", transactionalId);
        }
        closeProducer(); // the next one's initTransactions aborts whatever this one left open
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "medv-denoiser-finals");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // short: a transaction lives milliseconds, and one a dead process left open blocks read_committed readers
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the transactional producer: %s", e.toString());
            }
            producer = null;
        }
    }

    /**
     * Waits up to {@code timeout} for the outbox to empty, then stops the thread. What is left stays in the outbox
     * directory for the next start (without one it is lost, and logged).
     */
    void close(Duration timeout) {
        try {
            if (!outbox.awaitEmpty(timeout.toMillis())) {
                LOG.warnf("%d final record pair(s) not committed within %s of shutdown", outbox.size(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        closing = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The record with the request's W3C {@code traceparent} header (from the journalled message: restarts keep it). */
    static ProducerRecord<String, byte[]> traced(ProducerRecord<String, byte[]> record, String traceparent) {
        TraceContext.inject(traceparent, record.headers());
        return record;
    }
}
