package io.freshet.eventmodel.http;

import jakarta.ws.rs.core.Response;

/**
 * A whole request refused, in every service: answered by {@link RestErrors} with its status,
 * {@code {"error": {"code", "message"}}} and, when it says how long to wait, {@code Retry-After}.
 */
public class ApiException extends RuntimeException {

    private final Response.Status status;
    private final String code;
    private final Integer retryAfterSeconds;

    public ApiException(Response.Status status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(Response.Status status, String code, String message, Integer retryAfterSeconds) {
        super(message, null, false, false); // a refusal, not a failure: no stack trace to fill
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Response.Status status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
