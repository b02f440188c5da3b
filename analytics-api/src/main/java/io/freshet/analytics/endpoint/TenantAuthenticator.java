package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.BearerToken;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

/** Resolves the calling tenant from its API key; the tenant of a query never comes from its parameters. */
@ApplicationScoped
public class TenantAuthenticator {

    private final TenantRegistry tenants;

    public TenantAuthenticator(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    public Tenant require(String authorizationHeader) {
        return BearerToken.from(authorizationHeader).flatMap(tenants::authenticate)
                .orElseThrow(() -> new ApiException(Status.UNAUTHORIZED, "unauthorized",
                        "Send a tenant API key as 'Authorization: Bearer <key>'"));
    }
}
