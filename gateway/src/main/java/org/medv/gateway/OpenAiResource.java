package org.medv.gateway;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.FinishReason;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The OpenAI-compatible chat API on the HTTP port: {@code POST /v1/chat/completions} (a {@code chat.completion},
 * or with {@code stream: true} server-sent {@code chat.completion.chunk}s ending with {@code [DONE]}),
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}. A request runs through the gateway's one ask pipeline:
 * {@link ChatRequestMapper} makes the AskRequest, then the planner, the registry's mailbox, Vision.Encode,
 * Denoiser.Start and the Kafka relay, as for gRPC and {@code /v1/ask}. Refusals come back before any answer, in
 * OpenAI's error shape ({@link OpenAiErrors}).
 */
@Path("/v1")
public class OpenAiResource {
    private static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of(MediaType.APPLICATION_JSON));
    private static final Map<String, List<String>> RETRY = Map.of("Content-Type", List.of(MediaType.APPLICATION_JSON),
            "Retry-After", List.of("1"));

    private final AskService asks;
    private final ChatRequestMapper mapper;
    private final ServedModel served;
    private final ModelHolder models;

    OpenAiResource(AskService asks, ChatRequestMapper mapper, ServedModel served, ModelHolder models) {
        this.asks = asks;
        this.mapper = mapper;
        this.served = served;
        this.models = models;
    }

    /**
     * Any request body type is read as JSON (curl's -d sends form-encoded by default). OpenAI's clients send
     * Accept: application/json for streams too, so this produces {@code application/*} (one type, as a Multi
     * needs; a wildcard would be framed as SSE by the server) and sets the Content-Type per answer.
     */
    @POST
    @Path("/chat/completions")
    @Produces("application/*")
    @Blocking
    public RestMulti<String> chat(String body) {
        asks.admit();
        ChatRequest chat = mapper.map(body);
        UnaryOperator<String> params = chat::param;
        AskPlan plan;
        Mailbox box;
        int promptTokens;
        try {
            plan = asks.plan(chat.ask());
            box = asks.registerHttp(plan, chat.stream());
            promptTokens = asks.dispatch(plan, box, 0);
        } catch (RuntimeException e) {
            throw OpenAiErrors.translate(e, params);
        }
        var ids = new ChatCompletions.Ids("chatcmpl-" + plan.requestId(), plan.receivedUnixMs() / 1000, served.id());
        Multi<AnswerEvent> events = Multi.createFrom().publisher(new MailboxPublisher(box));
        if (chat.stream()) {
            ChunkStream chunks = new ChunkStream(ids, chat.includeUsage(), promptTokens, params);
            return RestMulti.fromMultiData(events.onItem().transformToIterable(chunks::frames))
                    .header("Content-Type", MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache")
                    .build();
        }
        // the final event only (a client that leaves before it does not cancel the generation yet: README)
        Uni<Answer> answer = events.toUni().map(last -> answer(ids, last, promptTokens, params));
        return RestMulti.fromUniResponse(answer, a -> Multi.createFrom().item(a.body()), Answer::headers,
                Answer::status);
    }

    @GET
    @Path("/models")
    public Response models() {
        models.model(); // 503 while the tokenizer loads
        return json(served.list().toString());
    }

    @GET
    @Path("/models/{id}")
    public Response model(@PathParam("id") String id) {
        models.model();
        if (!id.equals(served.id())) {
            throw OpenAiException.modelNotFound(id, served.id());
        }
        return json(served.json().toString());
    }

    /** Refusals of this API in OpenAI's shape (the rest of the gateway keeps medv's, see HttpErrors). */
    @ServerExceptionMapper
    public Response refuse(Throwable t) {
        return OpenAiErrors.response(OpenAiErrors.translate(t, UnaryOperator.identity()));
    }

    private record Answer(int status, String body) {
        /** JSON, and Retry-After when a retry may succeed (the denoiser stalled or its queue was full). */
        Map<String, List<String>> headers() {
            return status == 503 || status == 429 ? RETRY : JSON;
        }
    }

    private static Answer answer(ChatCompletions.Ids ids, AnswerEvent last, int promptTokens,
                                 UnaryOperator<String> params) {
        if (last.getFinishReason() == FinishReason.FINISH_REASON_FAILED) {
            OpenAiException e = ChatCompletions.failure(last.getError(), params);
            return new Answer(e.status, OpenAiErrors.json(e));
        }
        return new Answer(200, ChatCompletions.GSON.toJson(ChatCompletions.completion(ids, last, promptTokens)));
    }

    private static Response json(String body) {
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }
}
