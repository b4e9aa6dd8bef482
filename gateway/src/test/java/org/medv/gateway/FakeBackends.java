package org.medv.gateway;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.medv.model.config.SpecialTokens;
import org.medv.model.text.TextTokenizer;
import org.medv.proto.v1.CancelReply;
import org.medv.proto.v1.CancelRequest;
import org.medv.proto.v1.DType;
import org.medv.proto.v1.DenoiseEvent;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.ErrorInfo;
import org.medv.proto.v1.EncodeReply;
import org.medv.proto.v1.EncodeRequest;
import org.medv.proto.v1.FinishReason;
import org.medv.proto.v1.StartReply;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.Timings;
import org.medv.proto.v1.VisionGrpc;
import org.medv.serving.Statuses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * In-test stand-ins for vision-service and denoiser-service. Vision returns zero rows of the demo model's shape (or
 * INVALID_ARGUMENT for an image starting with "BAD"); Denoiser.Start publishes a scripted run for the request to
 * the real in-process Kafka (its gen_length positions over its steps), interleaved with events of a request no
 * gateway waits for. The metadata label
 * {@code script} picks the run: default (drafts then final), {@code slow} (one draft, then waits for Cancel),
 * {@code full} (RESOURCE_EXHAUSTED), {@code unicode} (the default run with {@link #UNICODE_ANSWER}, whose
 * multi-byte characters are split over byte tokens), {@code failed} (one draft, then a FAILED final event),
 * {@code silent} (Start answers, nothing is ever published: a denoiser that died after the ack), {@code dies} (two
 * drafts, then silence) and {@code endless} (a draft every 200 ms until Cancel or {@link #release}). Both servers
 * serve {@code grpc.health.v1.Health} ({@link #health}). A vision port of 0 starts the denoiser alone (a second
 * replica); {@link #full} makes its every Start a RESOURCE_EXHAUSTED, counted in {@link #refusals}.
 */
final class FakeBackends implements AutoCloseable {
    static final int IMAGE_ROWS = 16;
    static final int HIDDEN = 64;
    static final String ANSWER = "yes there is one in the left side";
    static final String FOREIGN = "FOREIGN";
    static final String UNICODE_ANSWER = "left \u2192 right, caf\u00e9 \u2713 done";

    final List<StartRequest> starts = Collections.synchronizedList(new ArrayList<>());
    /** Vision.Encode calls received. */
    final java.util.concurrent.atomic.AtomicInteger encodes = new java.util.concurrent.atomic.AtomicInteger();
    final List<String> cancels = Collections.synchronizedList(new ArrayList<>());
    final List<String> foreignIds = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean full;
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    private final Map<String, CountDownLatch> cancelled = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> cancelCalls = new ConcurrentHashMap<>();
    final FakeHealth visionHealth = new FakeHealth();
    final FakeHealth denoiserHealth = new FakeHealth();
    private final Server vision;
    private final Server denoiser;
    private final KafkaProducer<String, byte[]> producer;
    private final ExecutorService publisher = Executors.newCachedThreadPool();
    private final String topic;
    private final int[] answerIds;
    private final int[] unicodeIds;
    private final int maskId;
    private final int eos;

    FakeBackends(int visionPort, int denoiserPort, String bootstrap, String topic, Path modelDir) {
        this.topic = topic;
        try (TextTokenizer tok = TextTokenizer.load(modelDir)) {
            answerIds = tok.encode(ANSWER);
            unicodeIds = tok.encode(UNICODE_ANSWER);
        }
        SpecialTokens special = SpecialTokens.load(modelDir);
        maskId = special.mask();
        eos = special.eos();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        try {
            vision = visionPort == 0 ? null : NettyServerBuilder.forPort(visionPort).maxInboundMessageSize(64 << 20)
                    .addService(new Vision()).addService(visionHealth).build().start();
            denoiser = NettyServerBuilder.forPort(denoiserPort).addService(new Denoiser()).addService(denoiserHealth)
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer's token ids (what a final event's output_ids holds). */
    int[] answerIds() {
        return answerIds.clone();
    }

    StartRequest startOf(String requestId) {
        synchronized (starts) {
            return starts.stream().filter(s -> s.getRequestId().equals(requestId)).findFirst().orElse(null);
        }
    }

    /** Completes when Denoiser.Cancel is called for {@code requestId}. */
    CompletableFuture<Void> cancelOf(String requestId) {
        return cancelCalls.computeIfAbsent(requestId, id -> new CompletableFuture<>());
    }

    /** Ends an {@code endless} run without a Cancel call (it publishes nothing more). */
    void release(String requestId) {
        CountDownLatch latch = cancelled.get(requestId);
        if (latch != null) {
            released.add(requestId);
            latch.countDown();
        }
    }

    /** Publishes one event of {@code requestId} into {@code partition} (tests of the steps consumer). */
    void publishTo(int partition, String requestId, int genLength, boolean last) {
        DenoiseEvent e = event(requestId, 1, 1, genLength, last, FinishReason.FINISH_REASON_LENGTH, answerIds,
                ANSWER);
        try {
            producer.send(new ProducerRecord<>(topic, partition, requestId, e.toByteArray())).get(30,
                    TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("cannot publish to partition " + partition, ex);
        }
    }

    /** Publishes events straight to the topic for a request no gateway registered. */
    void publishForeign(String requestId, int genLength) {
        publish(requestId, 1, 1, genLength, false, FinishReason.FINISH_REASON_UNSPECIFIED, answerIds, ANSWER);
        publish(requestId, 1, 1, genLength, true, FinishReason.FINISH_REASON_LENGTH, answerIds, ANSWER);
        producer.flush();
    }

    private final class Vision extends VisionGrpc.VisionImplBase {
        @Override
        public void encode(EncodeRequest req, StreamObserver<EncodeReply> out) {
            encodes.incrementAndGet();
            if (req.getImage().startsWith(ByteString.copyFrom("BAD", StandardCharsets.US_ASCII))) {
                Metadata trailers = new Metadata();
                trailers.put(Statuses.FIELD, "image");
                out.onError(Status.INVALID_ARGUMENT.withDescription("invalid image: not a PNG or JPEG")
                        .asRuntimeException(trailers));
                return;
            }
            out.onNext(EncodeReply.newBuilder().setEmbeddings(Embeddings.newBuilder().setRows(IMAGE_ROWS)
                    .setCols(HIDDEN).setDtype(DType.DTYPE_FLOAT32)
                    .setData(ByteString.copyFrom(new byte[IMAGE_ROWS * HIDDEN * 4]))).build());
            out.onCompleted();
        }
    }

    private final class Denoiser extends DenoiserGrpc.DenoiserImplBase {
        @Override
        public void start(StartRequest req, StreamObserver<StartReply> out) {
            String script = req.getMetadata().getLabelsOrDefault("script", "default");
            if (full) {
                refusals.incrementAndGet();
            }
            if (script.equals("full") || full) {
                out.onError(Status.RESOURCE_EXHAUSTED.withDescription("the engine queue is full (16 waiting)")
                        .asRuntimeException());
                return;
            }
            starts.add(req);
            cancelled.put(req.getRequestId(), new CountDownLatch(1));
            // the gateway sends every sampler value, the model's defaults filled in
            int gen = req.getOptions().getGenLength();
            int steps = req.getOptions().getSteps();
            publisher.submit(() -> run(req.getRequestId(), gen, steps, script));
            out.onNext(StartReply.newBuilder().setQueuePosition(0).build());
            out.onCompleted();
        }

        @Override
        public void cancel(CancelRequest req, StreamObserver<CancelReply> out) {
            cancels.add(req.getRequestId());
            cancelOf(req.getRequestId()).complete(null);
            CountDownLatch latch = cancelled.get(req.getRequestId());
            if (latch != null) {
                latch.countDown();
            }
            out.onNext(CancelReply.newBuilder().setFound(latch != null).build());
            out.onCompleted();
        }
    }

    private void run(String id, int gen, int steps, String script) {
        boolean unicode = script.equals("unicode");
        int[] ids = unicode ? unicodeIds : answerIds;
        String text = unicode ? UNICODE_ANSWER : ANSWER;
        try {
            if (script.equals("silent")) {
                return;
            }
            if (script.equals("endless")) {
                endless(id, gen, steps);
                return;
            }
            String foreign = "foreign-" + UUID.randomUUID();
            foreignIds.add(foreign);
            for (int s = 1; s <= steps; s++) {
                publish(foreign, s, steps, gen, false, FinishReason.FINISH_REASON_UNSPECIFIED, answerIds, FOREIGN);
                publish(id, s, steps, gen, false, FinishReason.FINISH_REASON_UNSPECIFIED, ids, text);
                producer.flush();
                if (script.equals("slow")) {
                    cancelled.get(id).await(30, TimeUnit.SECONDS);
                    publish(id, s, steps, gen, true, FinishReason.FINISH_REASON_CANCELLED, ids, text);
                    producer.flush();
                    return;
                }
                if (script.equals("dies") && s == 2) {
                    return;
                }
                if (script.equals("failed")) {
                    publish(id, s, steps, gen, true, FinishReason.FINISH_REASON_FAILED, ids, "");
                    producer.flush();
                    return;
                }
                Thread.sleep(20);
            }
            publish(foreign, steps, steps, gen, true, FinishReason.FINISH_REASON_LENGTH, answerIds, FOREIGN);
            publish(id, steps, steps, gen, true, FinishReason.FINISH_REASON_STOP, ids, text);
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drafts 200 ms apart (step 1 of the run again and again) until cancelled or released. */
    private void endless(String id, int gen, int steps) throws InterruptedException {
        while (!cancelled.get(id).await(200, TimeUnit.MILLISECONDS)) {
            publish(id, 1, steps, gen, false, FinishReason.FINISH_REASON_UNSPECIFIED, answerIds, ANSWER);
            producer.flush();
        }
        if (!released.contains(id)) {
            publish(id, 1, steps, gen, true, FinishReason.FINISH_REASON_CANCELLED, answerIds, ANSWER);
            producer.flush();
        }
    }

    private void publish(String id, int s, int steps, int gen, boolean last, FinishReason reason, int[] answer,
                         String text) {
        producer.send(new ProducerRecord<>(topic, id, event(id, s, steps, gen, last, reason, answer, text)
                .toByteArray()));
    }

    /** Step {@code s} of {@code steps} unmasks a proportional prefix of the answer region. */
    private DenoiseEvent event(String id, int s, int steps, int gen, boolean last, FinishReason reason, int[] answer,
                               String text) {
        int committed = (int) ((long) gen * s / steps);
        DenoiseEvent.Builder e = DenoiseEvent.newBuilder().setRequestId(id).setStep(s).setBlock(0)
                .setTotalSteps(steps).setMaskId(maskId).setStopPosition(-1).setFinal(last)
                .setPublishedUnixNanos(System.currentTimeMillis() * 1_000_000);
        for (int i = 0; i < gen; i++) {
            e.addIds(i < committed ? (i < answer.length ? answer[i] : eos) : maskId);
            if (i >= (long) gen * (s - 1) / steps && i < committed) {
                e.addCommittedPositions(i);
            }
        }
        if (last) {
            for (int a : answer) {
                e.addOutputIds(a);
            }
            e.setText(text).setFinishReason(reason)
                    .setTimings(Timings.newBuilder().setQueueMs(1).setGenerateMs(5).setSteps(s));
            if (reason == FinishReason.FINISH_REASON_FAILED) {
                e.setError(ErrorInfo.newBuilder().setCode("INTERNAL").setMessage("the engine failed"));
            }
        }
        return e.build();
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        if (vision != null) {
            vision.shutdownNow();
        }
        denoiser.shutdownNow();
        producer.close();
    }
}
