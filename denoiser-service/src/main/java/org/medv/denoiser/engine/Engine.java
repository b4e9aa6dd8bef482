package org.medv.denoiser.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.medv.model.LanguageSide;
import org.medv.model.TextSide;
import org.medv.model.sampler.BatchDecoder;
import org.medv.model.sampler.Decoding;
import org.medv.model.sampler.GenerationResult;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.Timings;
import org.medv.serving.CapacityExceededException;
import org.medv.serving.EmbeddingCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The engine loop (vLLM's engine core in miniature): one daemon thread loads the model and then owns it. Between
 * steps it moves admitted requests from a bounded queue into the running batch (at most {@code maxBatch}), runs one
 * step of every running request in a single packed forward ({@link BatchDecoder}: each keeps its own length, block,
 * schedule, stop and decoding mode), and lets finished requests leave. Callers on gRPC threads only
 * {@link #submit} (validate + enqueue, or refuse at once) and {@link #cancel} (set a flag checked before every
 * step). Every request ends with exactly one final step event and one answer record, whichever way it ends; final
 * records are built by a helper thread (in order) and handed to the sink, which publishes them whenever the broker
 * takes them, so neither a slow acknowledgement nor an outage holds the batch. Requests cancelled while still
 * queued are finished there too so their slot frees at once. The sink hears of every accepted request first
 * ({@link EventSink#accepted}), so one that keeps a journal can answer it even if this process dies.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Finished request ids remembered for ALREADY_EXISTS, so a retried Start cannot produce a second answer. */
    private static final int RECENT_IDS = 4096;

    private final EngineSettings settings;
    private final Supplier<EngineModel> loader;
    private final EventSink sink;
    private final EngineObserver observer;
    /** Wall clock of the requests' deadlines ({@code deadline_unix_ms}). */
    private final Clock clock;
    private final BlockingQueue<Job> queue;
    private final Map<String, Job> active = new ConcurrentHashMap<>();
    /** The running batch: touched by the engine thread only. */
    private final List<Running> running = new ArrayList<>();
    private final Map<String, Boolean> recent = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    });
    private final Thread thread;
    private final ExecutorService finisher;
    private volatile EngineModel model;
    private volatile String unavailable = "the model is loading";
    private volatile boolean closing;

    /**
     * Takes ownership of {@code sink}: {@link #close} closes it after the last final record. {@code clock} tells
     * when deadlines pass ({@code Clock.systemUTC()} but in tests).
     */
    public Engine(EngineSettings settings, Supplier<EngineModel> loader, EventSink sink, EngineObserver observer,
                  Clock clock) {
        this.settings = settings;
        this.loader = loader;
        this.sink = sink;
        this.observer = observer;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        sink.knownIds().forEach(id -> recent.put(id, Boolean.TRUE)); // answered or answering before a restart
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
        return model != null && unavailableReason() == null;
    }

    /** Why the engine cannot take requests, or null when it can. */
    public String unavailableReason() {
        if (closing) {
            return "the denoiser is shutting down";
        }
        return unavailable != null ? unavailable : sink.unavailableReason();
    }

    public int queueDepth() {
        return queue.size();
    }

    /**
     * Validates and enqueues; returns how many requests wait ahead of this one. Throws InvalidRequestException,
     * CapacityExceededException, DuplicateRequestException or EngineUnavailableException; never blocks.
     */
    public int submit(StartRequest request) {
        return submit(request, "");
    }

    /**
     * As {@link #submit(StartRequest)}, the request traced: {@code traceparent} (W3C) goes into every step event and
     * final record of the request (their {@code traceparent} field, which the Kafka sink copies into the header).
     */
    public int submit(StartRequest request, String traceparent) {
        EngineModel m = model;
        String reason = unavailableReason();
        if (m == null || reason != null) {
            throw new EngineUnavailableException(reason == null ? "the model is loading" : reason);
        }
        Job job = Admission.admit(request, m.text(), System.nanoTime(), traceparent);
        if (recent.containsKey(job.id()) || active.putIfAbsent(job.id(), job) != null) {
            throw new DuplicateRequestException("request " + job.id() + " was already started");
        }
        try {
            journal(job, m);
        } catch (RuntimeException e) {
            active.remove(job.id(), job);
            throw e;
        }
        if (!queue.offer(job)) {
            sink.withdrawn(job.id());
            active.remove(job.id(), job);
            throw new CapacityExceededException("the denoiser queue is full (" + settings.queueCapacity()
                    + " requests waiting, medv.denoiser.queue-capacity, besides " + settings.maxBatch()
                    + " running, medv.denoiser.max-batch); retry later");
        }
        return Math.max(0, queue.size() - 1);
    }

    /** Tells the sink, before the job can run, what to publish for it should this process die first. */
    private void journal(Job job, EngineModel m) {
        Outcome died = Outcome.failed(DenoiserErrors.errorInfo(new EngineUnavailableException(
                "the denoiser stopped before the request finished")), new int[0], 0);
        long now = System.nanoTime();
        Timings timings = Events.timings(job, now, 0, now, 0);
        sink.accepted(job.id(), Events.finalEvent(job, died, "", timings, m.text().tokens().mask()),
                Events.answer(job, died, "", timings));
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
        BatchDecoder batch = new BatchDecoder(model.language().llm());
        try {
            while (!closing) {
                if (running.isEmpty()) {
                    Job job = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (job != null) {
                        join(job);
                    }
                }
                for (Job job; running.size() < settings.maxBatch() && (job = queue.poll()) != null; ) {
                    join(job);
                }
                if (!running.isEmpty()) {
                    stepAll(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            // the engine cannot go on (out of memory, a broken native library): say so, and end every request
            unavailable = "the engine stopped: " + e;
            LOG.error("engine stopped", e);
            failRunning("the engine stopped: " + e.getClass().getSimpleName());
            failAll(null, "the engine stopped: " + e.getClass().getSimpleName());
            throw e;
        }
        // closing: the running requests end within a step, as FAILED (UNAVAILABLE)
        failRunning("the denoiser shut down during the request");
    }

    /** One request in the running batch. */
    private record Running(Job job, StepPublisher steps, NDManager manager, Decoding decoding, long startedNanos) {
    }

    /** Moves a request from the queue into the batch: its prompt embeddings spliced, its decoding set up. */
    private void join(Job job) {
        long started = System.nanoTime();
        observer.queueWait(started - job.receivedNanos());
        LanguageSide language = model.language();
        StepPublisher steps = new StepPublisher(job, sink, observer, settings.stepStride(), language.tokens().mask(),
                () -> closing, clock);
        if (job.cancelRequested()) {
            finishLater(job, Outcome.unrun(FinishReason.FINISH_REASON_CANCELLED), started, 0);
            return;
        }
        if (job.deadlinePassed(clock.millis())) {
            finishLater(job, Outcome.unrun(FinishReason.FINISH_REASON_DEADLINE), started, 0);
            return;
        }
        NDManager m = language.manager().newSubManager();
        try {
            int[] promptIds = job.request().getPromptIdsList().stream().mapToInt(Integer::intValue).toArray();
            var images = job.request().getImagesList().stream().map(EmbeddingCodec::decode).toList();
            NDArray prompt = language.promptEmbeddingsFromRows(m, promptIds, images);
            Decoding d = new Decoding(language.llm(), language.tokens(), prompt, job.options(), steps);
            running.add(new Running(job, steps, m, d, started));
        } catch (RuntimeException e) {
            m.close();
            // messages may quote request values: log the request id and the failure class only
            LOG.error("request {} failed in the engine: {}", job.id(), e.getClass().getName());
            LOG.debug("request {} failure", job.id(), e);
            finishLater(job, Outcome.failed(DenoiserErrors.errorInfo(e), new int[0], 0), started, 0);
        }
    }

    /** One step of every running request in one forward; finished requests leave the batch. */
    private void stepAll(BatchDecoder batch) throws InterruptedException {
        List<Decoding> decodings = running.stream().filter(r -> !held(r)).map(Running::decoding).toList();
        if (decodings.isEmpty()) {
            // every running request is held (fault tests): wait for a cancel or a new request
            Job job = queue.poll(10, TimeUnit.MILLISECONDS);
            if (job != null) {
                join(job);
            }
            return;
        }
        try {
            long t0 = System.nanoTime();
            int stepped = batch.step(model.language().manager(), decodings);
            observer.stepDuration(System.nanoTime() - t0);
            observer.batch(stepped);
        } catch (RuntimeException e) {
            // a forward's failure cannot be pinned on one request of the batch: each of them fails
            LOG.error("a batched step of {} request(s) failed in the engine: {}", running.size(),
                    e.getClass().getName());
            LOG.debug("batched step failure", e);
            for (Running r : List.copyOf(running)) {
                running.remove(r);
                close(r);
                finishLater(r.job(), Outcome.failed(DenoiserErrors.errorInfo(e), r.steps().lastIds(),
                        r.steps().steps()), r.startedNanos(), r.steps().firstStepNanos());
            }
            return;
        }
        for (Running r : List.copyOf(running)) {
            if (r.decoding().finished()) {
                leave(r);
            }
        }
    }

    /** Whether a request is held after its first step ({@link EngineSettings#holdLabel}, fault tests only). */
    private boolean held(Running r) {
        return settings.holdLabel() != null && r.steps().steps() >= 1 && !r.steps().cancelled()
                && r.job().request().getMetadata().containsLabels(settings.holdLabel());
    }

    /** A request leaves the batch: its outcome from the decoding's result, its final records published. */
    private void leave(Running r) {
        running.remove(r);
        GenerationResult res = r.decoding().result();
        close(r);
        Job job = r.job();
        FinishReason reason = switch (res.finishReason()) {
            case LENGTH -> FinishReason.FINISH_REASON_LENGTH;
            case STOP -> FinishReason.FINISH_REASON_STOP;
            case CANCELLED -> job.cancelRequested() ? FinishReason.FINISH_REASON_CANCELLED
                    : closing ? FinishReason.FINISH_REASON_FAILED : FinishReason.FINISH_REASON_DEADLINE;
        };
        Outcome o = reason == FinishReason.FINISH_REASON_FAILED
                ? Outcome.failed(DenoiserErrors.errorInfo(new EngineUnavailableException(
                        "the denoiser shut down during the request")), res.finalIds(), res.stepsRun())
                : new Outcome(reason, res.outputIds(), res.finalIds(), res.stepsRun(), res.stopPosition(), null);
        finishLater(job, o, r.startedNanos(), r.steps().firstStepNanos());
    }

    private static void close(Running r) {
        r.decoding().close();
        r.manager().close();
    }

    /** Ends every running request as FAILED (UNAVAILABLE). */
    private void failRunning(String message) {
        for (Running r : List.copyOf(running)) {
            running.remove(r);
            close(r);
            finishLater(r.job(), Outcome.failed(DenoiserErrors.errorInfo(new EngineUnavailableException(message)),
                    r.steps().lastIds(), r.steps().steps()), r.startedNanos(), r.steps().firstStepNanos());
        }
    }

    /** Publishes a request's final records on the finisher thread (in order), or here once it has shut down. */
    private void finishLater(Job job, Outcome o, long startedNanos, long firstStepNanos) {
        long end = System.nanoTime();
        try {
            finisher.execute(() -> finish(job, o, startedNanos, firstStepNanos, end));
        } catch (RejectedExecutionException e) {
            finish(job, o, startedNanos, firstStepNanos, end);
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

    /**
     * Hands the final records to the sink once, without waiting for the broker, and reports the request done when
     * the broker has committed them.
     */
    private void finish(Job job, Outcome o, long startedNanos, long firstStepNanos, long endNanos) {
        if (!job.finishOnce()) {
            return;
        }
        EngineModel m = model;
        String text = o.outputIds().length == 0 || m == null ? "" : decode(m.text(), job, o.outputIds());
        Timings timings = Events.timings(job, startedNanos, firstStepNanos, endNanos, o.steps());
        int maskId = m == null ? 0 : m.text().tokens().mask();
        CompletableFuture<Void> published;
        try {
            published = sink.publishFinal(job.id(), Events.finalEvent(job, o, text, timings, maskId),
                    Events.answer(job, o, text, timings));
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        recent.put(job.id(), Boolean.TRUE);
        active.remove(job.id(), job);
        String reason = o.reason().name().replace("FINISH_REASON_", "");
        published.whenComplete((ok, failure) -> {
            long total = System.nanoTime() - job.receivedNanos();
            if (failure != null) {
                observer.publishFailed();
                LOG.error("request {} ({}): final records not published: {}", job.id(), reason, failure.toString());
            } else {
                observer.finished(o.reason(), total);
                LOG.info("request {} finished: {} after {} steps in {} ms", job.id(), reason, o.steps(), ms(total));
            }
        });
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
        EngineModel m = model;
        if (m != null && !thread.isAlive()) {
            m.close();
        }
        sink.close();
    }

    private static String decode(TextSide t, Job job, int[] ids) {
        try {
            String text = t.decode(ids);
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
