package io.freshet.router.endpoint;

import io.freshet.eventmodel.http.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The admin API's refusals: a status with {@code {"error": {"code", "message"}}}. */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static Response error(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(ApiError.of(code, message)).build();
    }
}
