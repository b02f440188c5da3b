package io.freshet.analytics.admin;

import io.freshet.analytics.admin.SourceAdminResource.DatabaseRequest;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.SourceHostPolicy;
import jakarta.ws.rs.core.Response.Status;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A database source's settings before the admin API saves them: forms, control characters, hosts. */
class DatabaseSourceChecksTest {

    private static final String SLOT = DatabaseSource.newSlotName("acme", "shop");
    private final DatabaseSourceChecks checks = new DatabaseSourceChecks(
            new SourceHostPolicy(List.of("127.0.0.1:5432"), List.of("127.0.0.1:9092")));

    @Test
    void aSourceOnAnAllowedHostIsSavedWithItsSlot() {
        DatabaseSource source = checks.checked("shop", request("127.0.0.1", 5432, "cdc", "pw\u00e9"), SLOT, Instant.EPOCH);

        assertEquals(SLOT, source.slotName("acme"));
        assertEquals("pw\u00e9", source.password(), "encrypted by TenantStore on its way to the topic");
        assertNull(source.encryptedPassword());
    }

    @Test
    void controlCharactersAreRefusedInEveryField() {
        assertInvalid(request("127.0.0.1", 5432, "cdc\r\nINJECTED", "pw"), "'user' must not hold control characters");
        assertInvalid(request("127.0.0.1", 5432, "cdc", "pw\nline"), "'password' must not hold control characters");
        assertInvalid(request("127.0.0.1", 5432, "cdc", "pw\u0000"), "'password' must not hold control characters");
        assertInvalid(request("127.0.0.1", 5432, "cdc\u2028", "pw"), "'user' must not hold control characters");
        assertInvalid(request("db.example.com\r\n", 5432, "cdc", "pw"), "'host' must not hold control characters");
        assertInvalid(new DatabaseRequest("127.0.0.1", 5432, "demo\t", "cdc", "pw", List.of("public.orders"), false),
                "'database' must not hold control characters");
        assertInvalid(new DatabaseRequest("127.0.0.1", 5432, "demo", "cdc", "pw", List.of("public.orders\n"), false),
                "'tables' must not hold control characters");
    }

    @Test
    void aHostTheSourceMayNotReachIsRefusedNamingTheSetting() {
        for (String host : List.of("169.254.169.254", "10.0.0.5", "192.168.1.10")) {
            assertRefused(host, 5432);
        }
        // the local PostgreSQL is allowed, by its address: localhost too, on its port only
        assertRefused("127.0.0.1", 5433);
        assertRefused("localhost", 5433);
        assertRefused("localhost", 9092);
    }

    private void assertRefused(String host, int port) {
        var refused = assertThrows(AnalyticsException.class, () -> checks.checked("shop", request(host, port, "cdc", "pw"), SLOT,
                Instant.EPOCH), host + ":" + port);
        assertEquals(Status.BAD_REQUEST, refused.status());
        assertEquals("source_host_refused", refused.code());
        assertTrue(refused.getMessage().contains("FRESHET_SOURCES_ALLOWED_HOSTS"), refused.getMessage());
    }

    private void assertInvalid(DatabaseRequest request, String message) {
        var refused = assertThrows(AnalyticsException.class, () -> checks.checked("shop", request, SLOT, Instant.EPOCH));
        assertEquals(Status.BAD_REQUEST, refused.status());
        assertEquals("invalid_source", refused.code());
        assertTrue(refused.getMessage().startsWith(message), refused.getMessage());
    }

    private static DatabaseRequest request(String host, int port, String user, String password) {
        return new DatabaseRequest(host, port, "demo", user, password, List.of("public.orders"), false);
    }
}
