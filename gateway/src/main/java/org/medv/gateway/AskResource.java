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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.medv.model.InvalidRequestException;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
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

    /** The multipart form's fields. */
    public static class Form {
        @RestForm("image")
        public FileUpload image;
        @RestForm
        public String question;
        @RestForm("gen_length")
        public String genLength;
        @RestForm("block_length")
        public String blockLength;
        @RestForm
        public String steps;
        @RestForm
        public String temperature;
        @RestForm
        public String seed;
        @RestForm("cfg_scale")
        public String cfgScale;
        @RestForm
        public String remasking;
        @RestForm
        public List<String> stop;
        @RestForm("forbid_ids")
        public String forbidIds;
        @RestForm("no_stop")
        public String noStop;
        @RestForm
        public String cache;
        @RestForm
        public String threshold;
        @RestForm("refresh_every")
        public String refreshEvery;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> askForm(@jakarta.ws.rs.BeanParam Form form, @Context Sse sse) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("gen_length", form.genLength);
        options.put("block_length", form.blockLength);
        options.put("steps", form.steps);
        options.put("temperature", form.temperature);
        options.put("seed", form.seed);
        options.put("cfg_scale", form.cfgScale);
        options.put("remasking", form.remasking);
        options.put("forbid_ids", form.forbidIds);
        options.put("no_stop", form.noStop);
        options.put("cache", form.cache);
        options.put("threshold", form.threshold);
        options.put("refresh_every", form.refreshEvery);
        return stream(HttpRequests.fromForm(image(form.image), form.question, options, form.stop), sse);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> askJson(String body, @Context Sse sse) {
        return stream(HttpRequests.fromJson(body), sse);
    }

    private Multi<OutboundSseEvent> stream(AskRequest request, Sse sse) {
        AskPlan plan = asks.plan(request);
        Mailbox box = asks.register(plan, true);
        asks.dispatch(plan, box, 0);
        return Multi.createFrom().publisher(new MailboxPublisher(box))
                .map(e -> sse.newEventBuilder().name(e.getFinal() ? "final" : "draft").data(json(e)).build());
    }

    private byte[] image(FileUpload upload) {
        if (upload == null || upload.size() == 0) {
            return null;
        }
        if (upload.size() > maxImageBytes) {
            // checked before reading it into memory; the planner words it the same way for every entry point
            throw new InvalidRequestException("image", "the image is " + upload.size()
                    + " bytes, more than medv.vision.max-image-bytes=" + maxImageBytes);
        }
        try {
            return Files.readAllBytes(upload.uploadedFile());
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
