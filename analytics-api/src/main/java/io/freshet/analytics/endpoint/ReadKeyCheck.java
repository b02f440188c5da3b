package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantApiKey;
import io.freshet.eventmodel.tenant.TenantRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.util.Optional;

/**
 * Whether a subscription's read key still reads, asked before every push: a WebSocket authenticates once, at
 * connection_init, and may stay open for days, so a key revoked or rotated, one that lost the read scope, a deleted
 * tenant or an origin the tenant no longer allows ends its subscriptions at their next push instead of never.
 */
@ApplicationScoped
public class ReadKeyCheck {

    private final TenantRegistry tenants;

    public ReadKeyCheck(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    /**
     * The key's tenant as it is now.
     *
     * @throws AnalyticsException the reason the key no longer reads (tenant_deleted, key_revoked, wrong_scope, origin_not_allowed)
     */
    public Tenant require(ConnectionKey key) {
        return check(tenants.find(key.tenant().id()), key);
    }

    static Tenant check(Optional<Tenant> current, ConnectionKey key) {
        Tenant tenant = current.orElseThrow(() -> new AnalyticsException(Status.UNAUTHORIZED, "tenant_deleted",
                "Tenant '" + key.tenant().id() + "' was deleted: its subscriptions end"));
        TenantApiKey stored = tenant.keys().stream().filter(k -> k.hash().equals(key.keyHash())).findFirst()
                .orElseThrow(() -> new AnalyticsException(Status.UNAUTHORIZED, "key_revoked",
                        "This subscription's API key was revoked or rotated: the subscription ends; subscribe again with a valid read key"));
        if (!stored.scopes().contains(KeyScope.READ)) {
            throw new AnalyticsException(Status.FORBIDDEN, "wrong_scope",
                    "This subscription's API key may no longer read analytics: the subscription ends");
        }
        if (key.origin() != null && !tenant.allowsOrigin(key.origin())) {
            throw new AnalyticsException(Status.FORBIDDEN, "origin_not_allowed", "Tenant '" + tenant.id()
                    + "' no longer lets pages of " + key.origin() + " use its keys: the subscription ends");
        }
        return tenant;
    }
}
