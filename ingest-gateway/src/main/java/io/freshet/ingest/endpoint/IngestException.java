package io.freshet.ingest.endpoint;

import jakarta.ws.rs.core.Response;

/** A whole request refused: answered with its status and {@code {"error": {"code", "message"}}}. */
public class IngestException extends RuntimeException {

    private final Response.Status status;
    private final String code;
    private final Integer retryAfterSeconds;

    public IngestException(Response.Status status, String code, String message) {
        this(status, code, message, null);
    }

    public IngestException(Response.Status status, String code, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
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
