package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal gets the contract's error body, never a stack trace. */
public class ApiExceptionMapper {

    @ServerExceptionMapper
    public Response toResponse(ApiException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(e.code(), e.getMessage())).build();
    }
}
