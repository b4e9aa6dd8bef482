package org.medv.gateway;

import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.DenoiserGrpc;
import org.medv.proto.v1.Embeddings;
import org.medv.proto.v1.EncodeReply;
import org.medv.proto.v1.EncodeRequest;
import org.medv.proto.v1.StartRequest;
import org.medv.proto.v1.VisionGrpc;
import org.medv.serving.Statuses;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One request's way in, shared by the gRPC and HTTP entry points: validate, register the waiting client, encode
 * the image, start the generation. {@link #dispatch} blocks on the two internal calls, so callers run it on a
 * worker thread.
 */
@ApplicationScoped
public class AskService {
    private static final Logger LOG = Logger.getLogger(AskService.class);

    private final AskPlanner planner;
    private final ClientRegistry clients;
    private final EventRenderer renderer;
    private final GatewayConfig config;
    private final ServingGate gate;
    private final DenoiserPool denoisers;

    @Inject
    @GrpcClient("vision")
    VisionGrpc.VisionBlockingStub vision;

    AskService(AskPlanner planner, ClientRegistry clients, EventRenderer renderer, GatewayConfig config,
               ServingGate gate, DenoiserPool denoisers) {
        this.planner = planner;
        this.clients = clients;
        this.renderer = renderer;
        this.config = config;
        this.gate = gate;
        this.denoisers = denoisers;
    }

    /**
     * Whether the gateway takes requests now: UNAVAILABLE at once, naming what is not ready, until the tokenizer
     * is loaded, the steps consumer positioned and the backends serving. Every entry point asks first.
     */
    public void admit() {
        gate.check();
    }

    /** Validates a request (no side effects); throws InvalidRequestException naming the field. */
    public AskPlan plan(AskRequest request) {
        return planner.plan(request);
    }

    /** Registers a gRPC client: events of the request are kept for it from now on; its deadline is its own. */
    public Mailbox register(AskPlan plan, boolean wantsDrafts) {
        return clients.register(plan.requestId(), plan.receivedNanos(), wantsDrafts, null);
    }

    /** Registers an HTTP client, whose answer ends after {@code medv.gateway.sse-max-duration}. */
    public Mailbox registerHttp(AskPlan plan, boolean wantsDrafts) {
        return clients.register(plan.requestId(), plan.receivedNanos(), wantsDrafts,
                config.gateway().sseMaxDuration());
    }

    /**
     * Vision.Encode (with an image), then Denoiser.Start. Any failure forgets the request and is thrown: the
     * internal services' statuses (vision's INVALID_ARGUMENT for a bad image, the denoiser's RESOURCE_EXHAUSTED
     * for a full queue) pass through unchanged.
     *
     * @param deadlineUnixMs the client's deadline, or 0 for none
     * @return the prompt's length in positions, the image's rows included
     */
    public int dispatch(AskPlan plan, Mailbox box, long deadlineUnixMs) {
        try {
            long visionMs = 0;
            int imageRows = 0;
            List<Embeddings> images = List.of();
            if (plan.hasImage()) {
                gate.checkImages();
                long t0 = System.nanoTime();
                EncodeReply reply = call("vision-service", () -> vision
                        .withDeadline(deadline(config.gateway().visionTimeout().toMillis(), deadlineUnixMs))
                        .encode(EncodeRequest.newBuilder().setImage(plan.request().getImage()).build()));
                visionMs = (System.nanoTime() - t0) / 1_000_000;
                imageRows = reply.getEmbeddings().getRows();
                planner.validateWithImageRows(plan, imageRows);
                images = List.of(reply.getEmbeddings());
            }
            long vms = visionMs;
            org.medv.proto.v1.GenerationOptions options = plan.resolvedOptions();
            List<List<Integer>> stops = plan.options().stopSequences();
            // the entry point's span (gRPC or HTTP server instrumentation): Encode and Start below are its children
            String traceId = traceId(Span.current());
            box.renderWith(e -> withTraceId(renderer.render(e, options, stops, vms,
                    (System.nanoTime() - plan.receivedNanos()) / 1_000_000), traceId));
            StartRequest start = StartRequest.newBuilder()
                    .setRequestId(plan.requestId())
                    .addAllPromptIds(Arrays.stream(plan.promptIds()).boxed().toList())
                    .addAllImages(images)
                    .setOptions(options)
                    .setMetadata(plan.request().getMetadata())
                    .setGatewayId(config.gateway().instanceId())
                    .setDeadlineUnixMs(deadlineUnixMs)
                    .setReceivedUnixMs(plan.receivedUnixMs())
                    .setVisionMs(visionMs)
                    .build();
            DenoiserReplica.Lease lease = start(start, deadlineUnixMs);
            box.takenBy(lease);
            box.markStarted();
            LOG.debugf("request %s started on %s (vision %d ms)", plan.requestId(), lease.replica().name(),
                    visionMs);
            return plan.textPositions() + imageRows;
        } catch (RuntimeException e) {
            clients.unregister(box);
            LOG.infof("request %s refused: %s", plan.requestId(), Status.fromThrowable(e).getCode());
            throw e;
        }
    }

    /**
     * Denoiser.Start on the least-loaded serving replica. A full queue (RESOURCE_EXHAUSTED: nothing was enqueued)
     * is tried on the next replica; any other failure is the request's, as a retry elsewhere could run it twice.
     */
    private DenoiserReplica.Lease start(StartRequest start, long deadlineUnixMs) {
        Set<DenoiserReplica> tried = new HashSet<>();
        StatusRuntimeException full = null;
        while (true) {
            DenoiserReplica.Lease lease;
            try {
                lease = denoisers.take(tried);
            } catch (StatusRuntimeException none) {
                if (full != null) {
                    throw passThrough("denoiser-service", full);
                }
                throw passThrough("denoiser-service", none);
            }
            try {
                DenoiserGrpc.newBlockingStub(lease.replica().channel())
                        .withDeadline(deadline(config.gateway().startTimeout().toMillis(), deadlineUnixMs))
                        .start(start);
                return lease;
            } catch (StatusRuntimeException e) {
                lease.release();
                if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
                    throw passThrough("denoiser-service", e);
                }
                LOG.debugf("request %s: %s is full, trying another replica", start.getRequestId(),
                        lease.replica().name());
                tried.add(lease.replica());
                full = e;
            }
        }
    }

    /** The trace id of {@code span}, or "" when tracing is off (an invalid span context). */
    static String traceId(Span span) {
        SpanContext c = span.getSpanContext();
        return c.isValid() ? c.getTraceId() : "";
    }

    /** The final event names the request's trace, so a client can find its spans and Kafka records. */
    private static AnswerEvent withTraceId(AnswerEvent e, String traceId) {
        return e.getFinal() && !traceId.isEmpty() ? e.toBuilder().setTraceId(traceId).build() : e;
    }

    private static Deadline deadline(long timeoutMs, long clientDeadlineUnixMs) {
        long ms = timeoutMs;
        if (clientDeadlineUnixMs > 0) {
            ms = Math.min(ms, clientDeadlineUnixMs - System.currentTimeMillis());
        }
        return Deadline.after(Math.max(ms, 1), TimeUnit.MILLISECONDS);
    }

    private static <T> T call(String service, Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw passThrough(service, e);
        }
    }

    /** The internal service's status for the client: code, description and the field trailer, nothing else. */
    static StatusRuntimeException passThrough(String service, StatusRuntimeException e) {
        Metadata trailers = new Metadata();
        String field = e.getTrailers() == null ? null : e.getTrailers().get(Statuses.FIELD);
        if (field != null) {
            trailers.put(Statuses.FIELD, field);
        }
        Status s = e.getStatus();
        String description = s.getDescription() == null ? "" : s.getDescription();
        boolean theirs = switch (s.getCode()) {
            case INVALID_ARGUMENT, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, DEADLINE_EXCEEDED -> true;
            default -> false;
        };
        if (!theirs) {
            description = service + ": " + description;
        }
        return s.withDescription(description).asRuntimeException(trailers);
    }
}
