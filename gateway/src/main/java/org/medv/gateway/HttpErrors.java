package org.medv.gateway;

import com.google.gson.JsonObject;
import io.grpc.Status;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.medv.proto.v1.ErrorInfo;
import org.medv.serving.Statuses;

/**
 * The HTTP edge of the one error mapping ({@link Statuses}): the gRPC status a failure maps to decides the HTTP
 * status (400, 429, ...), and the body is {"error": {"code", "field", "message"}} with the gRPC message.
 */
public class HttpErrors {
    private static final Logger LOG = Logger.getLogger(HttpErrors.class);

    @ServerExceptionMapper
    public Response map(Throwable t) {
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

    private static Response body(int status, ErrorInfo info) {
        JsonObject error = new JsonObject();
        error.addProperty("code", info.getCode());
        error.addProperty("field", info.getField());
        error.addProperty("message", info.getMessage());
        JsonObject root = new JsonObject();
        root.add("error", error);
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(root.toString());
        if (status == 429 || status == 503) {
            // a full queue or a gateway that is not ready yet: worth retrying soon
            r.header("Retry-After", "1");
        }
        return r.build();
    }
}
