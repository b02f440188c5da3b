package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.http.RequestApiKey;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

/**
 * Resolves the calling tenant from its API key, which must have the {@code read} scope; the tenant of a query never
 * comes from its parameters.
 */
@ApplicationScoped
public class TenantAuthenticator {

    private final TenantRegistry tenants;

    public TenantAuthenticator(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    public Tenant require(String authorizationHeader) {
        var key = RequestApiKey.from(authorizationHeader).flatMap(tenants::authenticate)
                .orElseThrow(() -> tenants.isCaughtUp()
                        ? new AnalyticsException(Status.UNAUTHORIZED, "unauthorized",
                        "Send a tenant API key with the 'read' scope as 'Authorization: Bearer <key>'")
                        // just started: an unknown key may be one it has not read yet (503 comes with Retry-After)
                        : new AnalyticsException(Status.SERVICE_UNAVAILABLE, "tenants_loading",
                        "The analytics API is still reading the tenants since it started; retry in a moment"));
        if (!key.allows(KeyScope.READ)) {
            throw new AnalyticsException(Status.FORBIDDEN, "wrong_scope",
                    "This key may only send events; reading analytics needs a key with the 'read' scope");
        }
        return key.tenant();
    }
}
