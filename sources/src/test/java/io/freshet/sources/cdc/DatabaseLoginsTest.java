package io.freshet.sources.cdc;

import io.freshet.eventmodel.tenant.DatabaseSource;
import io.freshet.eventmodel.tenant.RefusedHostException;
import io.freshet.eventmodel.tenant.SourceHostPolicy;
import io.freshet.eventmodel.tenant.SourcePasswords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capture's login, decided before it starts: the host checked again (DNS may have changed since the admin API saved
 * the source) and connected to at the address checked, the password decrypted; a refusal is a stopped capture.
 */
class DatabaseLoginsTest {

    private final SourcePasswords passwords = new SourcePasswords(key(), List.of());
    private final DatabaseLogins logins = new DatabaseLogins(
            new SourceHostPolicy(List.of("127.0.0.1:5432"), List.of("127.0.0.1:9092")), Optional.of(passwords));

    @Test
    void anAllowedHostIsConnectedToAtTheAddressCheckedWithThePasswordDecrypted() {
        DatabaseSource source = passwords.sealed("acme", source("localhost", 5432, "hunter2"));

        var login = logins.login("acme", source);
        assertEquals("127.0.0.1", login.host(), "localhost resolves to the allowed address");
        assertEquals("hunter2", login.password());
        assertEquals("hunter2", logins.login("acme", source("127.0.0.1", 5432, "hunter2")).password(), "a password stored in clear before");
    }

    @Test
    void aHostRefusedNowIsNotConnectedTo() {
        var refused = assertThrows(RefusedHostException.class, () -> logins.login("acme", source("127.0.0.1", 5433, "pw")));
        assertTrue(refused.getMessage().contains("FRESHET_SOURCES_ALLOWED_HOSTS"), refused.getMessage());
        assertThrows(RefusedHostException.class, () -> logins.login("acme", source("169.254.169.254", 5432, "pw")));
    }

    @Test
    void aRefusedCaptureIsReportedAsStoppedAndNotStarted() {
        var meters = new SimpleMeterRegistry();
        // what a refused capture never reaches (configuration, Kafka, intake) is not given
        var capture = new DatabaseCapture("acme", source("10.0.0.7", 5432, "pw"), null, null, (short) 1, null, null, meters);

        capture.start(logins);

        assertFalse(capture.running());
        assertNotNull(capture.stoppedAt(), "started again after the backoff, checked again");
        assertTrue(capture.failure().contains("10.0.0.7 is a private address"), capture.failure());
        assertEquals(0, meters.get("freshet.sources.database.running").tag("tenant", "acme").gauge().value());
        capture.close();
    }

    private static DatabaseSource source(String host, int port, String password) {
        return new DatabaseSource("shop", host, port, "demo", "cdc", password, null, List.of("public.orders"), false,
                Instant.EPOCH, DatabaseSource.newSlotName("acme", "shop"));
    }

    private static String key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
