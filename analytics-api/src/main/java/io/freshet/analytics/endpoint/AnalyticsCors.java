package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.ApiError;
import io.freshet.eventmodel.http.RequestApiKey;
import io.freshet.eventmodel.http.TenantCors;
import io.freshet.eventmodel.tenant.TenantRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * Lets the pages of a tenant's allowed origins ask the tenant's analytics (REST and GraphQL) from the browser
 * ({@link TenantCors}); the admin API and the dashboard stay same-origin only. A GraphQL WebSocket is opened with no
 * preflight and its key only comes afterwards (connection_init, where {@link TenantKeyAuthentication} checks the
 * origin for the key's tenant): its upgrade is refused here, as a preflight would be, when no tenant allows the page.
 */
@ApplicationScoped
public class AnalyticsCors {

    private static final List<String> TENANT_PATHS = List.of("/v1/stats", "/v1/events", "/graphql");

    private final TenantRegistry tenants;
    private final TenantCors cors;
    private final SubscriptionRefusals refusals;

    public AnalyticsCors(TenantRegistry tenants, TenantCors cors, SubscriptionRefusals refusals) {
        this.tenants = tenants;
        this.cors = cors;
        this.refusals = refusals;
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, 100);
    }

    void filter(RoutingContext context) {
        String path = context.normalizedPath();
        if (TENANT_PATHS.stream().noneMatch(path::startsWith)) {
            context.next();
            return;
        }
        if (TenantCors.isPreflight(context.request())) {
            cors.answerPreflight(context, "GET, POST", "Authorization, Content-Type");
            return;
        }
        if (WebSocketOrigin.isUpgrade(context.request())) {
            var page = WebSocketOrigin.foreign(context.request()).filter(origin -> !tenants.anyAllowsOrigin(origin));
            if (page.isPresent()) {
                refusals.count("origin_not_allowed", SubscriptionRefusals.NO_TENANT);
                cors.refuse(context, 403, ApiError.of("origin_not_allowed", "No tenant lets pages of " + page.get()
                        + " use its keys; add the origin with PUT /v1/admin/tenants/{id}/origins"));
                return;
            }
        }
        // an unknown key passes on, to be refused (401) by the endpoint like any other
        var refusal = RequestApiKey.from(context.request().getHeader(HttpHeaders.AUTHORIZATION))
                .flatMap(tenants::authenticate).flatMap(key -> cors.admit(context, key.tenant()));
        if (refusal.isPresent()) {
            cors.refuse(context, 403, refusal.get());
            return;
        }
        context.next();
    }
}
