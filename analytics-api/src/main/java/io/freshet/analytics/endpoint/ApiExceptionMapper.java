package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal gets the contract's error body, never a stack trace. */
public class ApiExceptionMapper {

    /** ClickHouse away: a short wait, as the gateway asks. */
    private static final int RETRY_AFTER_SECONDS = 1;

    @ServerExceptionMapper
    public Response toResponse(ApiException e) {
        var response = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(ApiError.of(e.code(), e.getMessage()));
        if (e.status() == Response.Status.SERVICE_UNAVAILABLE) {
            response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return response.build();
    }
}
