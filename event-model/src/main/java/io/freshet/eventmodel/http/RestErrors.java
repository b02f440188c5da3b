package io.freshet.eventmodel.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every refusal in the contract's error body: Freshet's own ({@link ApiException}, with its {@code Retry-After}) and
 * the REST layer's (a method an endpoint does not take, a media type it cannot read or write, a parameter it cannot
 * convert), with their headers (e.g. {@code Allow}). Used by the services with REST endpoints; event-model depends
 * on quarkus-rest optionally.
 */
public class RestErrors {

    @ServerExceptionMapper
    public Response toResponse(ApiException e) {
        var response = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(e.code(), e.getMessage()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }

    /** A body that is JSON but not the shape the endpoint reads (an array for an object, a string for a number). */
    @ServerExceptionMapper
    public Response toResponse(MismatchedInputException e) {
        return toResponse((JsonProcessingException) e); // before Quarkus's own mapper of this type, which sends no body
    }

    @ServerExceptionMapper
    public Response toResponse(JsonProcessingException e) {
        var at = e.getLocation();
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of("invalid_json", "The body is not the JSON this endpoint takes"
                        + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")))
                .build();
    }

    @ServerExceptionMapper
    public Response toResponse(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return e.getResponse();
        }
        return Response.fromResponse(e.getResponse()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(HttpErrorCodes.of(status), HttpErrorCodes.message(status, request.getMethod(),
                        "/" + uri.getPath().replaceFirst("^/", ""))))
                .build();
    }
}
