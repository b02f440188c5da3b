package io.freshet.analytics.endpoint;

import jakarta.ws.rs.core.Response;

/** A refused request, answered with its status and {@code {"error": {"code", "message"}}}. */
public class ApiException extends RuntimeException {

    private final Response.Status status;
    private final String code;

    public ApiException(Response.Status status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public Response.Status status() {
        return status;
    }

    public String code() {
        return code;
    }
}
