package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.http.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns refusals into the contract's error body, never a stack trace. */
public class IngestExceptionMapper {

    @ServerExceptionMapper
    public Response toResponse(IngestException e) {
        var response = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(e.code(), e.getMessage()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }
}
