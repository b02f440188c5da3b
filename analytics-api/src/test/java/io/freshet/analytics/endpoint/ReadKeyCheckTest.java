package io.freshet.analytics.endpoint;

import io.freshet.eventmodel.tenant.ApiKeys;
import io.freshet.eventmodel.tenant.KeyScope;
import io.freshet.eventmodel.tenant.Tenant;
import io.freshet.eventmodel.tenant.TenantApiKey;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadKeyCheckTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String READ_KEY = ApiKeys.generate();
    private static final Tenant TENANT = Tenant.create("acme", "Acme", ApiKeys.hash(ApiKeys.generate()), AT)
            .withKey(TenantApiKey.issue("key_web", "web", READ_KEY, Set.of(KeyScope.READ), AT), AT)
            .withAllowedOrigins(List.of("https://app.acme.example"), AT);

    @Test
    void aKeyStillKnownWithTheReadScopeReadsTheTenantAsItIsNow() {
        Tenant changed = TENANT.withRateLimit(500, AT.plusSeconds(60));
        assertEquals(changed, ReadKeyCheck.check(Optional.of(changed), key(null)));
    }

    @Test
    void aRevokedKeyEndsItsSubscriptions() {
        assertEquals("key_revoked", refusal(TENANT.withoutKey("key_web", AT), key(null)));
    }

    @Test
    void aRotatedKeyEndsItsSubscriptions() {
        // a rotation keeps the key's id and scopes but not its secret: the connection's key is no longer one
        Tenant rotated = TENANT.withKey(TenantApiKey.issue("key_web", "web", ApiKeys.generate(), Set.of(KeyScope.READ), AT), AT);
        assertEquals("key_revoked", refusal(rotated, key(null)));
    }

    @Test
    void aKeyThatLostTheReadScopeEndsItsSubscriptions() {
        Tenant writeOnly = TENANT.withKey(TenantApiKey.issue("key_web", "web", READ_KEY, Set.of(KeyScope.WRITE), AT), AT);
        assertEquals("wrong_scope", refusal(writeOnly, key(null)));
    }

    @Test
    void aDeletedTenantEndsItsSubscriptions() {
        AnalyticsException refused = assertThrows(AnalyticsException.class, () -> ReadKeyCheck.check(Optional.empty(), key(null)));
        assertEquals("tenant_deleted", refused.code());
    }

    @Test
    void aPageWhoseOriginTheTenantNoLongerAllowsEndsItsSubscriptions() {
        assertEquals(TENANT, ReadKeyCheck.check(Optional.of(TENANT), key("https://app.acme.example")));
        assertEquals("origin_not_allowed", refusal(TENANT.withAllowedOrigins(List.of(), AT), key("https://app.acme.example")));
        // a client without a foreign origin does not depend on the tenant's origins
        assertEquals(TENANT.withAllowedOrigins(List.of(), AT),
                ReadKeyCheck.check(Optional.of(TENANT.withAllowedOrigins(List.of(), AT)), key(null)));
    }

    private static ConnectionKey key(String origin) {
        return new ConnectionKey("connection-1", TENANT, "key_web", ApiKeys.hash(READ_KEY), origin);
    }

    private static String refusal(Tenant now, ConnectionKey key) {
        return assertThrows(AnalyticsException.class, () -> ReadKeyCheck.check(Optional.of(now), key)).code();
    }
}
