package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.TenantCors;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Optional;

/**
 * The page origin a GraphQL WebSocket must be allowed for, by HTTP CORS's rule ({@code TenantCors}): a browser opens a
 * WebSocket from any page without a preflight and sends the page's {@code Origin} with the upgrade, so the API checks
 * it itself. Without an Origin (no browser) or from a page of the API's own origin, no tenant has to allow anything.
 */
public final class WebSocketOrigin {

    private static final String ORIGIN = "Origin";

    private WebSocketOrigin() {
    }

    public static boolean isUpgrade(HttpServerRequest request) {
        return request.headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true);
    }

    /** The origin of the page behind the request, when a tenant must allow it. */
    public static Optional<String> foreign(HttpServerRequest request) {
        return foreign(request.getHeader(ORIGIN), request.scheme(), request.getHeader(HttpHeaders.HOST));
    }

    static Optional<String> foreign(String origin, String scheme, String host) {
        return origin == null || TenantCors.isSameOrigin(origin, scheme, host) ? Optional.empty() : Optional.of(origin);
    }
}
