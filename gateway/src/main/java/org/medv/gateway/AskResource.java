package org.medv.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.server.multipart.FileItem;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/ask}: multipart (the page's form) or JSON in, {@code text/event-stream} out: {@code draft}
 * events, then one {@code final} event, each the JSON of an AnswerEvent. Bad input is answered before the stream
 * starts (HttpErrors). Runs on a worker thread: the image is read and the internal calls block.
 */
@Path("/v1/ask")
public class AskResource {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace().alwaysPrintFieldsWithNoPresence();

    private final AskService asks;
    private final long maxImageBytes;

    AskResource(AskService asks, GatewayConfig config) {
        this.asks = asks;
        this.maxImageBytes = config.vision().maxImageBytes();
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> askForm(MultipartFormDataInput form, @Context Sse sse) {
        asks.admit();
        FormFields fields = FormFields.of(form.getValues());
        Map<String, String> options = new LinkedHashMap<>();
        for (String name : FormFields.OPTIONS) {
            options.put(name, fields.text(name));
        }
        return stream(HttpRequests.fromForm(image(fields.file("image")), fields.text("question"), options,
                fields.texts("stop")), sse);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> askJson(String body, @Context Sse sse) {
        asks.admit();
        return stream(HttpRequests.fromJson(body), sse);
    }

    private Multi<OutboundSseEvent> stream(AskRequest request, Sse sse) {
        AskPlan plan = asks.plan(request);
        Mailbox box = asks.registerHttp(plan, true);
        asks.dispatch(plan, box, 0);
        return Multi.createFrom().publisher(new MailboxPublisher(box))
                .map(e -> sse.newEventBuilder().name(e.getFinal() ? "final" : "draft").data(json(e)).build());
    }

    private byte[] image(FileItem upload) {
        try {
            long size = upload == null ? 0 : upload.getFileSize();
            if (size == 0) {
                return null;
            }
            if (size > maxImageBytes) {
                // checked before reading it into memory; the planner words it the same way for every entry point
                throw new InvalidRequestException("image", "the image is " + size
                        + " bytes, more than medv.vision.max-image-bytes=" + maxImageBytes);
            }
            try (InputStream in = upload.getInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded image", e);
        }
    }

    static String json(AnswerEvent e) {
        try {
            return JSON.print(e);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("AnswerEvent has no JSON form", ex);
        }
    }
}
