package org.medv.gateway;

import com.google.gson.JsonObject;
import io.grpc.Status;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;
import org.medv.proto.v1.ErrorInfo;
import org.medv.serving.Statuses;

import java.io.IOException;

/**
 * The HTTP edge of the one error mapping ({@link Statuses}): the gRPC status a failure maps to decides the HTTP
 * status (400, 429, ...), and the body is {"error": {"code", "field", "message"}} with the gRPC message.
 */
public class HttpErrors {
    private static final Logger LOG = Logger.getLogger(HttpErrors.class);

    @ServerExceptionMapper
    public Response map(Throwable t, HttpHeaders headers) {
        if ((t instanceof IOException || t instanceof MultipartParser.MalformedMessageException)
                && isMultipart(headers)) {
            // the multipart decoder's refusals (the resources themselves throw no checked IOException)
            return body(400, ErrorInfo.newBuilder().setCode(Status.Code.INVALID_ARGUMENT.name()).setField("body")
                    .setMessage("invalid body: not a well-formed multipart/form-data body"
                            + (t instanceof IOException ? " (" + rootMessage(t) + ")" : ""))
                    .build());
        }
        if (t instanceof NotSupportedException) {
            return body(415, ErrorInfo.newBuilder().setCode(Status.Code.INVALID_ARGUMENT.name()).setField("Content-Type")
                    .setMessage("invalid Content-Type: POST /v1/ask takes application/json or multipart/form-data")
                    .build());
        }
        if (t instanceof WebApplicationException w) {
            // JAX-RS' own refusals (404, 405, 415, ...) keep their status
            int status = w.getResponse().getStatus();
            return body(status, ErrorInfo.newBuilder().setCode(Status.Code.UNKNOWN.name())
                    .setMessage(w.getMessage() == null ? "" : w.getMessage()).build());
        }
        ErrorInfo info = Statuses.errorInfo(t);
        Status.Code code = Status.fromThrowable(Statuses.toStatus(t)).getCode();
        if (code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN) {
            LOG.warnf("internal error: %s", t.getClass().getName());
        }
        return body(Statuses.httpStatus(code), info);
    }

    private static boolean isMultipart(HttpHeaders headers) {
        MediaType type = headers == null ? null : headers.getMediaType();
        return type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE);
    }

    /** The innermost message (the decoder wraps its own), printable ASCII only. */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return HttpRequests.shown(m.length() > 200 ? m.substring(0, 200) : m);
    }

    /** {@code {"error": {"code", "field", "message"}}}, the body of every refusal outside the OpenAI API. */
    static String json(ErrorInfo info) {
        JsonObject error = new JsonObject();
        error.addProperty("code", info.getCode());
        error.addProperty("field", info.getField());
        error.addProperty("message", info.getMessage());
        JsonObject root = new JsonObject();
        root.add("error", error);
        return root.toString();
    }

    private static Response body(int status, ErrorInfo info) {
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(json(info));
        if (status == 429 || status == 503) {
            // a full queue or a gateway that is not ready yet: worth retrying soon
            r.header("Retry-After", "1");
        }
        return r.build();
    }
}
