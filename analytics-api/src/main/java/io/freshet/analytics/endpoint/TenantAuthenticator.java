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
                .orElseThrow(() -> new ApiException(Status.UNAUTHORIZED, "unauthorized",
                        "Send a tenant API key with the 'read' scope as 'Authorization: Bearer <key>'"));
        if (!key.allows(KeyScope.READ)) {
            throw new ApiException(Status.FORBIDDEN, "wrong_scope",
                    "This key may only send events; reading analytics needs a key with the 'read' scope");
        }
        return key.tenant();
    }
}
