package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.tenant.Tenant;

/**
 * The read key a GraphQL WebSocket connection authenticated with (its connection_init, {@link TenantKeyAuthentication}),
 * as its subscriptions need it: to count them per connection and per key, and to check the key again on every push
 * ({@link ReadKeyCheck}). The key itself only as its hash, as the tenant registry keeps it.
 *
 * @param connection this connection's own id
 * @param tenant     the key's tenant as it was at connection_init
 * @param keyId      the key's id in the admin API (stable across rotations)
 * @param keyHash    the key's SHA-256: a rotation or revocation removes it from the tenant
 * @param origin     the web origin of the page that opened the connection when the tenant had to allow it (a page of
 *                   another origin); null for a page of the API's own origin or a client that is no browser
 */
public record ConnectionKey(String connection, Tenant tenant, String keyId, String keyHash, String origin) {

    /** The security identity's attribute holding it. */
    public static final String ATTRIBUTE = "freshet.connection-key";

    /** The key across the tenants: the unit of the per-key subscription cap. */
    public String key() {
        return tenant.id() + "/" + keyId;
    }
}
