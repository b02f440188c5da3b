package io.freshet.eventmodel.http;

import java.util.Map;

/** The error codes and messages of refusals that the HTTP layer, not an endpoint, makes. */
public final class HttpErrorCodes {

    private static final Map<Integer, String> CODES = Map.of(
            400, "bad_request", 401, "unauthorized", 403, "forbidden", 404, "not_found", 405, "method_not_allowed",
            406, "not_acceptable", 413, "payload_too_large", 414, "uri_too_long", 415, "unsupported_media_type",
            431, "headers_too_large");

    private HttpErrorCodes() {
    }

    public static String of(int status) {
        return CODES.getOrDefault(status, "http_" + status);
    }

    public static String message(int status, String method, String path) {
        return switch (status) {
            case 404 -> "No endpoint at " + method + " " + path;
            case 405 -> path + " does not take " + method;
            case 406 -> path + " cannot answer in the media type the Accept header asks for; ask for application/json";
            case 413 -> "The request body is over the size limit of " + path;
            case 414 -> "The request URI is too long";
            case 415 -> path + " does not take this Content-Type";
            case 431 -> "The request headers are too large";
            default -> "The request to " + method + " " + path + " was refused (HTTP " + status + ")";
        };
    }
}
