package org.medv.vision;

import org.medv.model.ImageEmbedding;
import org.medv.model.InvalidRequestException;
import org.medv.model.ModelLoadException;
import org.medv.model.VisionSide;
import org.medv.proto.v1.Embeddings;
import org.medv.serving.CapacityExceededException;
import org.medv.serving.EmbeddingCodec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Owns the model's vision side and the one thread that runs it: the model is not safe for concurrent forwards, so every
 * load and encode runs on that thread, behind a bounded queue (full = {@link CapacityExceededException}). Size
 * checks, the digest and cache hits happen on the caller's thread and never wait for the model. Plain Java: the
 * Quarkus adapters only create, feed and close it.
 */
public final class VisionEngine implements AutoCloseable {
    public enum State { LOADING, READY, FAILED }

    /** One Encode answer: the wire embeddings (digest included) and whether they came from the cache. */
    public record Encoded(Embeddings embeddings, boolean cached) {
    }

    private final VisionSettings settings;
    private final VisionMetrics metrics;
    private final EmbeddingCache cache;
    private final ThreadPoolExecutor worker;
    private volatile VisionSide model;
    private volatile RuntimeException loadFailure;

    public VisionEngine(VisionSettings settings, VisionMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.cache = new EmbeddingCache(settings.cacheEntries());
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity()), r -> {
                    Thread t = new Thread(r, "medv-vision-model");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        metrics.gauge("medv.vision.queue.depth", "Encodes waiting for the model thread",
                () -> worker.getQueue().size());
        metrics.gauge("medv.vision.cache.entries", "Embeddings held in the cache", cache::size);
    }

    /** Loads the model on the model thread; encodes that arrive meanwhile queue behind the load. */
    public CompletableFuture<Void> load(Supplier<VisionSide> loader) {
        return CompletableFuture.runAsync(() -> {
            try {
                model = loader.get();
            } catch (RuntimeException e) {
                loadFailure = e;
                throw e;
            }
        }, worker);
    }

    public State state() {
        if (loadFailure != null) {
            return State.FAILED;
        }
        return model == null ? State.LOADING : State.READY;
    }

    /** Why the model failed to load, or null. */
    public String loadError() {
        RuntimeException e = loadFailure;
        return e == null ? null : e.getMessage();
    }

    public boolean workerAlive() {
        return !worker.isShutdown();
    }

    /**
     * Validates the image's size, then answers from the cache or queues an encode. Throws
     * {@link InvalidRequestException} for an empty or oversized image and {@link CapacityExceededException} when the
     * queue is full; the future fails with InvalidRequestException for an undecodable image (or too many pixels)
     * and with ModelLoadException when the model could not be loaded.
     *
     * @param abandoned true once the caller has gone (cancelled, deadline passed): a queued encode is then skipped
     *                  and its future fails with CancellationException
     */
    public CompletableFuture<Encoded> encode(byte[] image, BooleanSupplier abandoned) {
        checkSize(image.length);
        String digest = sha256(image);
        Embeddings hit = cache.get(digest);
        if (hit != null) {
            metrics.cacheHit();
            return CompletableFuture.completedFuture(new Encoded(hit, true));
        }
        try {
            return CompletableFuture.supplyAsync(() -> encodeOnModelThread(image, digest, abandoned), worker);
        } catch (RejectedExecutionException e) {
            metrics.rejected(VisionMetrics.QUEUE_FULL);
            throw new CapacityExceededException("the vision encoder queue is full (" + settings.queueCapacity()
                    + " waiting, medv.vision.queue-capacity); retry later");
        }
    }

    private void checkSize(int bytes) {
        if (bytes == 0) {
            metrics.rejected(VisionMetrics.EMPTY);
            throw new InvalidRequestException("image", "image is empty (0 bytes); send a PNG or JPEG of 1 to "
                    + settings.maxImageBytes() + " bytes (medv.vision.max-image-bytes)");
        }
        if (bytes > settings.maxImageBytes()) {
            metrics.rejected(VisionMetrics.TOO_LARGE);
            throw new InvalidRequestException("image", "image is " + bytes + " bytes, more than the limit of "
                    + settings.maxImageBytes() + " bytes (medv.vision.max-image-bytes)");
        }
    }

    private Encoded encodeOnModelThread(byte[] image, String digest, BooleanSupplier abandoned) {
        if (abandoned.getAsBoolean()) {
            // nobody waits for this answer: leave the model thread to the requests that still do
            throw new CancellationException("the caller went away while the encode was queued");
        }
        // a request for the same image may have queued behind the one that encoded it
        Embeddings hit = cache.get(digest);
        if (hit != null) {
            metrics.cacheHit();
            return new Encoded(hit, true);
        }
        metrics.cacheMiss();
        VisionSide m = requireModel();
        ImageEmbedding rows;
        try {
            rows = m.encodeImage(image);
        } catch (InvalidRequestException e) {
            metrics.rejected(VisionMetrics.INVALID_IMAGE);
            throw e;
        }
        Embeddings wire = EmbeddingCodec.encode(rows, settings.wireDtype(), digest);
        cache.put(digest, wire);
        metrics.encoded();
        return new Encoded(wire, false);
    }

    private VisionSide requireModel() {
        if (loadFailure != null) {
            metrics.rejected(VisionMetrics.MODEL_UNAVAILABLE);
            throw new ModelLoadException("the vision model failed to load: " + loadFailure.getMessage());
        }
        // the load ran earlier on this same thread, so the model is set unless the load failed
        return model;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256 (MessageDigest javadoc)
            throw new IllegalStateException(e);
        }
    }

    /** Lets queued encodes finish (for up to 30 s), then frees the model. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                worker.shutdownNow();
                // a forward is still running on the model's memory: leave the model to the process exit
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        VisionSide m = model;
        if (m != null) {
            m.close();
        }
    }
}
