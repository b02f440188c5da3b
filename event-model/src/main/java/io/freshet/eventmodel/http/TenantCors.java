package io.freshet.eventmodel.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * CORS for tenants' web pages: each tenant lists the origins whose pages may use its keys (admin API,
 * {@code PUT /v1/admin/tenants/{id}/origins}). Never {@code *} and never credentials (cookies): a page sends the
 * key itself. A preflight carries no key, so it is granted when some tenant allows the origin; the request that
 * follows is granted only when the key's own tenant does, and otherwise refused before it does anything.
 */
@ApplicationScoped
public class TenantCors {

    /** How long a browser may reuse a preflight's answer (Chromium caps it at 2 h). */
    static final String MAX_AGE_SECONDS = "7200";
    private static final String ORIGIN = "Origin";

    private final TenantRegistry tenants;
    private final ObjectMapper json;

    public TenantCors(TenantRegistry tenants, ObjectMapper json) {
        this.tenants = tenants;
        this.json = json;
    }

    public static boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.getHeader(ORIGIN) != null
                && request.getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    }

    /** Answers a preflight: 204 with the grant, or 403 when no tenant allows the origin. */
    public void answerPreflight(RoutingContext context, String methods, String headers) {
        String origin = context.request().getHeader(ORIGIN);
        context.response().putHeader(HttpHeaders.VARY, ORIGIN);
        if (!tenants.anyAllowsOrigin(origin)) {
            refuse(context, 403, ApiError.of("origin_not_allowed", "No tenant lets pages of " + origin
                    + " call this API; add the origin with PUT /v1/admin/tenants/{id}/origins"));
            return;
        }
        context.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods)
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, headers)
                .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS)
                .setStatusCode(204).end();
    }

    /**
     * For a request with a key of this tenant: nothing when it came from no other origin's page, or from one the
     * tenant allows (the response then carries the grant); otherwise the refusal to answer with 403.
     */
    public Optional<ApiError> admit(RoutingContext context, Tenant tenant) {
        String origin = context.request().getHeader(ORIGIN);
        if (origin == null || isSameOrigin(context.request(), origin)) {
            return Optional.empty();
        }
        if (!tenant.allowsOrigin(origin)) {
            return Optional.of(ApiError.of("origin_not_allowed", "Tenant '" + tenant.id() + "' does not let pages of "
                    + origin + " use its keys; add the origin with PUT /v1/admin/tenants/" + tenant.id() + "/origins"));
        }
        context.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                .putHeader(HttpHeaders.VARY, ORIGIN)
                .putHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, "Retry-After");
        return Optional.empty();
    }

    /** Ends the exchange with this status and error body (for filters, which answer before the REST layer). */
    public void refuse(RoutingContext context, int status, ApiError error) {
        try {
            context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(error));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An ApiError is always JSON", e);
        }
    }

    private static boolean isSameOrigin(HttpServerRequest request, String origin) {
        return isSameOrigin(origin, request.scheme(), request.getHeader(HttpHeaders.HOST));
    }

    /** True when a page of {@code origin} is the API's own (the request's scheme and Host): no tenant need allow it. */
    public static boolean isSameOrigin(String origin, String scheme, String host) {
        return origin != null && host != null && origin.equals(scheme + "://" + host);
    }
}
