package org.medv.vision;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medv.model.DemoModel;
import org.medv.model.InvalidRequestException;
import org.medv.model.LoadOptions;
import org.medv.model.ModelLoadException;
import org.medv.model.VisionSide;
import org.medv.proto.v1.DType;
import org.medv.serving.CapacityExceededException;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine without Quarkus: queue bound, load failure, f16 wire, LRU eviction, rejection counters. */
class VisionEngineTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private VisionEngine engine;

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aFullQueueIsCapacityExceededAndAFailedLoadFailsWhatWaited() throws InterruptedException {
        engine = new VisionEngine(new VisionSettings(1000, 4, 1, DType.DTYPE_FLOAT32), new VisionMetrics(registry));
        CountDownLatch loading = new CountDownLatch(1);
        CompletableFuture<Void> load = engine.load(() -> {
            await(loading);
            throw new ModelLoadException("no such model");
        });
        CompletableFuture<VisionEngine.Encoded> queued = encode(TestImages.png(8, 8, 1));
        assertThrows(CapacityExceededException.class, () -> encode(TestImages.png(8, 8, 2)));
        assertEquals(VisionEngine.State.LOADING, engine.state());

        loading.countDown();
        assertThrows(CompletionException.class, load::join);
        CompletionException failed = assertThrows(CompletionException.class, queued::join);
        assertInstanceOf(ModelLoadException.class, failed.getCause());
        assertEquals(VisionEngine.State.FAILED, engine.state());
        assertEquals("no such model", engine.loadError());
        assertEquals(1.0, rejected(VisionMetrics.QUEUE_FULL));
        assertEquals(1.0, rejected(VisionMetrics.MODEL_UNAVAILABLE));
    }

    @Test
    void sizeLimitsAreCheckedBeforeTheModel() {
        engine = new VisionEngine(new VisionSettings(100, 4, 1, DType.DTYPE_FLOAT32), new VisionMetrics(registry));
        InvalidRequestException empty = assertThrows(InvalidRequestException.class, () -> encode(new byte[0]));
        assertEquals("image", empty.field());
        InvalidRequestException large = assertThrows(InvalidRequestException.class,
                () -> encode(new byte[101]));
        assertTrue(large.getMessage().contains("101 bytes, more than the limit of 100 bytes"), large.getMessage());
        assertEquals(1.0, rejected(VisionMetrics.EMPTY));
        assertEquals(1.0, rejected(VisionMetrics.TOO_LARGE));
    }

    @Test
    void float16WireAndLeastRecentlyUsedEviction(@TempDir Path dir) {
        engine = new VisionEngine(new VisionSettings(1 << 20, 1, 4, DType.DTYPE_FLOAT16), new VisionMetrics(registry));
        DemoModel.write(dir, 5);
        engine.load(() -> VisionSide.load(LoadOptions.of(dir, null)))
                .join();
        assertEquals(VisionEngine.State.READY, engine.state());
        byte[] a = TestImages.png(28, 28, 1);
        byte[] b = TestImages.png(28, 28, 2);

        VisionEngine.Encoded first = encode(a).join();
        assertFalse(first.cached());
        assertEquals(DType.DTYPE_FLOAT16, first.embeddings().getDtype());
        assertEquals(16 * DemoModel.HIDDEN * 2, first.embeddings().getData().size());
        assertTrue(encode(a).join().cached());
        assertFalse(encode(b).join().cached());
        assertFalse(encode(a).join().cached(), "a was evicted by b");

        assertEquals(1.0, registry.get("medv.vision.cache.hits").counter().count());
        assertEquals(3.0, registry.get("medv.vision.cache.misses").counter().count());
        assertEquals(3.0, registry.get("medv.vision.encodes").counter().count());
    }

    @Test
    void anUndecodableImageFailsItsRequestOnly(@TempDir Path dir) {
        engine = new VisionEngine(new VisionSettings(1 << 20, 4, 4, DType.DTYPE_FLOAT32), new VisionMetrics(registry));
        DemoModel.write(dir, 5);
        engine.load(() -> VisionSide.load(LoadOptions.of(dir, null)));
        CompletionException e = assertThrows(CompletionException.class,
                () -> encode(TestImages.corruptPng()).join());
        assertInstanceOf(InvalidRequestException.class, e.getCause());
        assertEquals(1.0, rejected(VisionMetrics.INVALID_IMAGE));
        assertEquals(16, encode(TestImages.png(8, 8, 3)).join().embeddings().getRows());
    }

    private CompletableFuture<VisionEngine.Encoded> encode(byte[] image) {
        return engine.encode(image, () -> false);
    }

    @Test
    void anEncodeWhoseCallerLeftIsSkipped() throws InterruptedException {
        engine = new VisionEngine(new VisionSettings(1000, 4, 2, DType.DTYPE_FLOAT32), new VisionMetrics(registry));
        CountDownLatch loading = new CountDownLatch(1);
        engine.load(() -> {
            await(loading);
            throw new ModelLoadException("never reached by the abandoned encode");
        });
        CompletableFuture<VisionEngine.Encoded> abandoned = engine.encode(TestImages.png(8, 8, 1), () -> true);
        loading.countDown();
        CompletionException e = assertThrows(CompletionException.class, abandoned::join);
        assertInstanceOf(java.util.concurrent.CancellationException.class, e.getCause());
        assertEquals(0.0, rejected(VisionMetrics.MODEL_UNAVAILABLE));
    }

    private double rejected(String reason) {
        return registry.get("medv.vision.rejected").tag("reason", reason).counter().count();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
