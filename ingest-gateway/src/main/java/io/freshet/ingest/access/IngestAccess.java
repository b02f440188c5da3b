package io.freshet.ingest.access;

import io.freshet.eventmodel.http.ApiError;
import io.freshet.eventmodel.http.RequestApiKey;
import io.freshet.eventmodel.http.TenantCors;
import io.freshet.eventmodel.tenant.AuthenticatedKey;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.freshet.eventmodel.http.ApiException;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response.Status;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may send events: every ingest path needs a tenant key with the {@code write} scope, from a page of an origin
 * the tenant allows (CORS), checked before the body is read. The key comes from the {@code Authorization} header
 * (Bearer, or Basic with the key as user name), from {@code ?writeKey=} (how {@code navigator.sendBeacon}, which
 * cannot set headers, sends it; only a write-only key may travel in a URL, which ends up in logs), or, on the
 * Segment-compatible paths, from the body's {@code writeKey} (checked by {@link #admitBodyKey}).
 */
@ApplicationScoped
public class IngestAccess {

    /** Where the request's tenant waits for the endpoint, once its key is known. */
    public static final String TENANT = "freshet.tenant";
    public static final String EVENTS_PATH = "/v1/events";
    /** The Segment-compatible tracking API (io.freshet.ingest.segment). */
    public static final Set<String> SEGMENT_PATHS =
            Set.of("/v1/batch", "/v1/track", "/v1/page", "/v1/screen", "/v1/identify", "/v1/group", "/v1/alias");
    private static final String KEY_PARAMETER = "writeKey";
    private static final String KEY_IN_BODY = "freshet.key-in-body";
    private static final Pattern MATRIX_PARAMETERS = Pattern.compile(";[^/]*");
    /** Before InFlightBodies, which reserves the body of an admitted request. */
    private static final int PRIORITY = 110;

    private final TenantRegistry tenants;
    private final TenantCors cors;

    public IngestAccess(TenantRegistry tenants, TenantCors cors) {
        this.tenants = tenants;
        this.cors = cors;
    }

    /**
     * Any variant of an ingest path (a trailing slash, path parameters such as {@code /v1/events;x}, which the REST
     * layer routes to the endpoint too, another method) is the endpoint's, and needs its key.
     */
    public static boolean isIngestPath(String path) {
        String bare = canonical(path);
        return EVENTS_PATH.equals(bare) || SEGMENT_PATHS.contains(bare);
    }

    /** True for a request admitted without a key yet: its key is in its body (Segment's writeKey). */
    public static boolean hasKeyInBody(RoutingContext context) {
        return Boolean.TRUE.equals(context.get(KEY_IN_BODY));
    }

    /** The path as the REST layer matches it: without path parameters ({@code ;...}) and a trailing slash. */
    private static String canonical(String path) {
        String bare = MATRIX_PARAMETERS.matcher(path).replaceAll("");
        return bare.length() > 1 && bare.endsWith("/") ? bare.substring(0, bare.length() - 1) : bare;
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, PRIORITY);
    }

    void admit(RoutingContext context) {
        String path = context.normalizedPath();
        if (!isIngestPath(path)) {
            context.next();
            return;
        }
        if (TenantCors.isPreflight(context.request())) {
            cors.answerPreflight(context, "POST", "Authorization, Content-Type, Content-Encoding");
            return;
        }
        Optional<String> headerKey = RequestApiKey.from(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        String urlKey = context.request().getParam(KEY_PARAMETER);
        try {
            if (headerKey.isPresent()) {
                context.put(TENANT, writer(known(headerKey.get()), context));
            } else if (urlKey != null) {
                AuthenticatedKey key = known(urlKey);
                if (key.allows(KeyScope.READ)) {
                    throw new ApiException(Status.FORBIDDEN, "key_in_url", "Only a write-only key may be sent in the "
                            + "URL (it ends up in logs); send this key as 'Authorization: Bearer <key>'");
                }
                context.put(TENANT, writer(key, context));
            } else if (SEGMENT_PATHS.contains(canonical(path))) { // there the body's writeKey may do
                context.put(KEY_IN_BODY, Boolean.TRUE);
            } else {
                throw unauthorized();
            }
        } catch (ApiException e) {
            if (e.retryAfterSeconds() != null) {
                context.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
            }
            cors.refuse(context, e.status().getStatusCode(), ApiError.of(e.code(), e.getMessage()));
            return;
        }
        context.next();
    }

    /** The tenant of a key sent in the body (Segment's {@code writeKey}), with the same checks as a header's. */
    public Tenant admitBodyKey(String writeKey, RoutingContext context) {
        return writer(known(writeKey), context);
    }

    private Tenant writer(AuthenticatedKey key, RoutingContext context) {
        if (!key.allows(KeyScope.WRITE)) {
            throw new ApiException(Status.FORBIDDEN, "wrong_scope",
                    "This key may only read analytics; sending events needs a key with the 'write' scope");
        }
        cors.admit(context, key.tenant()).ifPresent(refusal -> {
            throw new ApiException(Status.FORBIDDEN, refusal.error().code(), refusal.error().message());
        });
        return key.tenant();
    }

    /**
     * A key this instance does not know is a stranger's only once it has read every tenant: a restarted gateway takes
     * requests a moment before it has, and a 401 then would make clients drop good events (SDKs do not retry a 4xx).
     */
    private AuthenticatedKey known(String apiKey) {
        return tenants.authenticate(apiKey).orElseThrow(() -> tenants.isCaughtUp() ? unauthorized()
                : new ApiException(Status.SERVICE_UNAVAILABLE, "tenants_loading",
                "The gateway is still reading the tenants since it started; retry after the Retry-After delay", 1));
    }

    private static ApiException unauthorized() {
        return new ApiException(Status.UNAUTHORIZED, "unauthorized",
                "Send a tenant API key with the 'write' scope as 'Authorization: Bearer <key>'");
    }
}
