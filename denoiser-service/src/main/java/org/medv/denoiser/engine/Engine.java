package org.medv.denoiser.engine;

import org.medv.model.MedvModel;
import org.medv.model.sampler.GenerationResult;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.Timings;
import org.medv.serving.CapacityExceededException;
import org.medv.serving.EmbeddingCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The engine loop (vLLM's engine core in miniature): one daemon thread loads the model and then owns it, taking
 * admitted requests from a bounded queue and running them one at a time. Callers on gRPC threads only
 * {@link #submit} (validate + enqueue, or refuse at once) and {@link #cancel} (set a flag the sampler polls before
 * every forward). Every request ends with exactly one final step event and one answer record, whichever way it
 * ends; requests cancelled while still queued are finished by a small helper thread so their slot frees at once.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Finished request ids remembered for ALREADY_EXISTS, so a retried Start cannot produce a second answer. */
    private static final int RECENT_IDS = 4096;

    private final EngineSettings settings;
    private final Supplier<MedvModel> loader;
    private final EventSink sink;
    private final EngineObserver observer;
    private final BlockingQueue<Job> queue;
    private final Map<String, Job> active = new ConcurrentHashMap<>();
    private final Map<String, Boolean> recent = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    });
    private final Thread thread;
    private final ExecutorService finisher;
    private volatile MedvModel model;
    private volatile String unavailable = "the model is loading";
    private volatile boolean closing;

    /** Takes ownership of {@code sink}: {@link #close} closes it after the last final record. */
    public Engine(EngineSettings settings, Supplier<MedvModel> loader, EventSink sink, EngineObserver observer) {
        this.settings = settings;
        this.loader = loader;
        this.sink = sink;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.thread = new Thread(this::loop, "medv-engine");
        this.thread.setDaemon(true);
        this.finisher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "medv-engine-finisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the engine thread, which loads the model first ({@link #ready()} turns true after). */
    public void start() {
        thread.start();
    }

    public boolean ready() {
        return model != null && !closing && unavailable == null;
    }

    /** Why the engine cannot take requests, or null when it can. */
    public String unavailableReason() {
        return closing ? "the denoiser is shutting down" : unavailable;
    }

    public int queueDepth() {
        return queue.size();
    }

    /**
     * Validates and enqueues; returns how many requests wait ahead of this one. Throws InvalidRequestException,
     * CapacityExceededException, DuplicateRequestException or EngineUnavailableException; never blocks.
     */
    public int submit(StartRequest request) {
        MedvModel m = model;
        String reason = unavailableReason();
        if (m == null || reason != null) {
            throw new EngineUnavailableException(reason == null ? "the model is loading" : reason);
        }
        Job job = Admission.admit(request, m, System.nanoTime());
        if (recent.containsKey(job.id()) || active.putIfAbsent(job.id(), job) != null) {
            throw new DuplicateRequestException("request " + job.id() + " was already started");
        }
        if (!queue.offer(job)) {
            active.remove(job.id(), job);
            throw new CapacityExceededException("the denoiser queue is full (" + settings.queueCapacity()
                    + " requests waiting); retry later");
        }
        return Math.max(0, queue.size() - 1);
    }

    /** Marks a queued or running request cancelled; false when no such request is queued or running. */
    public boolean cancel(String requestId) {
        Job job = active.get(requestId);
        if (job == null) {
            return false;
        }
        job.requestCancel();
        if (queue.remove(job)) {
            // never reaches the engine thread: finish it now so that its slot and its client are freed at once
            long now = System.nanoTime();
            try {
                finisher.execute(() -> finish(job, Outcome.unrun(FinishReason.FINISH_REASON_CANCELLED), now, 0, now));
            } catch (RejectedExecutionException e) {
                finish(job, Outcome.unrun(FinishReason.FINISH_REASON_CANCELLED), now, 0, now);
            }
        }
        return true;
    }

    private void loop() {
        try {
            long t0 = System.nanoTime();
            model = loader.get();
            unavailable = null;
            LOG.info("model loaded from {} in {} ms; engine ready", settings.modelDir(), ms(System.nanoTime() - t0));
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a native library or a class the engine needs is missing
            unavailable = "the model failed to load: " + e;
            LOG.error("model failed to load from {}", settings.modelDir(), e);
            return;
        }
        Job job = null;
        try {
            while (!closing) {
                job = queue.poll(100, TimeUnit.MILLISECONDS);
                if (job != null) {
                    runGuarded(job);
                }
                job = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            // the engine cannot go on (out of memory, a broken native library): say so, and end every request
            unavailable = "the engine stopped: " + e;
            LOG.error("engine stopped", e);
            failAll(job, "the engine stopped: " + e.getClass().getSimpleName());
            throw e;
        }
    }

    /** Finishes {@code current} (if any) and every queued request as FAILED (UNAVAILABLE). */
    private void failAll(Job current, String message) {
        Outcome failed = Outcome.failed(DenoiserErrors.errorInfo(new EngineUnavailableException(message)),
                new int[0], 0);
        long now = System.nanoTime();
        if (current != null) {
            finish(current, failed, now, 0, now);
        }
        for (Job queued; (queued = queue.poll()) != null; ) {
            finish(queued, failed, now, 0, now);
        }
    }

    /** A bug outside the sampler must not end the engine: the request fails, the loop goes on. */
    private void runGuarded(Job job) {
        try {
            run(job);
        } catch (RuntimeException e) {
            LOG.error("request {}: engine error {}", job.id(), e.getClass().getName());
            LOG.debug("request {} engine error", job.id(), e);
            long now = System.nanoTime();
            finish(job, Outcome.failed(DenoiserErrors.errorInfo(e), new int[0], 0), now, 0, now);
        }
    }

    private void run(Job job) {
        long started = System.nanoTime();
        StepPublisher steps = new StepPublisher(job, sink, observer, settings.stepStride(), model.tokens().mask(),
                () -> closing);
        Outcome outcome;
        if (job.cancelRequested()) {
            outcome = Outcome.unrun(FinishReason.FINISH_REASON_CANCELLED);
        } else if (job.deadlinePassed(System.currentTimeMillis())) {
            outcome = Outcome.unrun(FinishReason.FINISH_REASON_DEADLINE);
        } else {
            outcome = generate(job, steps);
        }
        finish(job, outcome, started, steps.firstStepNanos(), System.nanoTime());
    }

    private Outcome generate(Job job, StepPublisher steps) {
        try {
            int[] promptIds = job.request().getPromptIdsList().stream().mapToInt(Integer::intValue).toArray();
            var images = job.request().getImagesList().stream().map(EmbeddingCodec::decode).toList();
            GenerationResult r = model.generateFromRows(promptIds, images, job.options(), steps);
            FinishReason reason = switch (r.finishReason()) {
                case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
                case STOP -> FinishReason.FINISH_REASON_STOP;
                case CANCELLED -> job.cancelRequested() ? FinishReason.FINISH_REASON_CANCELLED
                        : closing ? FinishReason.FINISH_REASON_FAILED : FinishReason.FINISH_REASON_DEADLINE;
            };
            if (reason == FinishReason.FINISH_REASON_FAILED) {
                return Outcome.failed(DenoiserErrors.errorInfo(new EngineUnavailableException(
                        "the denoiser shut down during the request")), r.finalIds(), r.stepsRun());
            }
            return new Outcome(reason, r.outputIds(), r.finalIds(), r.stepsRun(), r.stopPosition(), null);
        } catch (RuntimeException e) {
            // messages may quote request values: log the request id and the failure class only
            LOG.error("request {} failed in the engine: {}", job.id(), e.getClass().getName());
            LOG.debug("request {} failure", job.id(), e);
            return Outcome.failed(DenoiserErrors.errorInfo(e), steps.lastIds(), steps.steps());
        }
    }

    /** Publishes the final records once, waits for the broker's acknowledgement, then reports the request done. */
    private void finish(Job job, Outcome o, long startedNanos, long firstStepNanos, long endNanos) {
        if (!job.finishOnce()) {
            return;
        }
        MedvModel m = model;
        String text = o.outputIds().length == 0 || m == null ? "" : decode(m, job, o.outputIds());
        Timings timings = Events.timings(job, startedNanos, firstStepNanos, endNanos, o.steps());
        int maskId = m == null ? 0 : m.tokens().mask();
        try {
            sink.publishFinal(job.id(), Events.finalEvent(job, o, text, timings, maskId),
                    Events.answer(job, o, text, timings)).get(settings.finalFlushTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            observer.publishFailed();
            LOG.error("request {}: final records not acknowledged by the broker: {}", job.id(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recent.put(job.id(), Boolean.TRUE);
        active.remove(job.id(), job);
        long total = System.nanoTime() - job.receivedNanos();
        observer.finished(o.reason(), total);
        LOG.info("request {} finished: {} after {} steps in {} ms", job.id(),
                o.reason().name().replace("FINISH_REASON_", ""), o.steps(), ms(total));
    }

    /**
     * Stops taking requests, lets the running one end within a step (FAILED, UNAVAILABLE), fails the queued ones,
     * then closes the model and the sink.
     */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finisher.shutdown();
        try {
            finisher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(null, "the denoiser shut down before the request ran");
        MedvModel m = model;
        if (m != null && !thread.isAlive()) {
            m.close();
        }
        sink.close();
    }

    private static String decode(MedvModel m, Job job, int[] ids) {
        try {
            String text = m.decode(ids);
            return text == null ? "" : text;
        } catch (RuntimeException e) {
            LOG.warn("request {}: answer ids not decodable: {}", job.id(), e.getClass().getName());
            return "";
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
