package io.freshet.analytics.graphql;

import io.freshet.analytics.config.TestAnalyticsConfig;
import io.freshet.analytics.endpoint.AnalyticsException;
import io.freshet.analytics.endpoint.ConnectionKey;
import io.freshet.analytics.endpoint.SubscriptionRefusals;
import io.freshet.eventmodel.tenant.Tenant;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SubscriptionCapsTest {

    private static final Tenant ACME = Tenant.create("acme", "Acme", "hash", Instant.EPOCH);
    private static final Tenant OTHER = Tenant.create("other", "Other", "hash", Instant.EPOCH);

    private SimpleMeterRegistry meters;
    private SubscriptionCaps caps;

    @BeforeEach
    void caps() {
        meters = new SimpleMeterRegistry();
        caps = new SubscriptionCaps(TestAnalyticsConfig.withSubscriptions(Duration.ofSeconds(2), 3, 5),
                new SubscriptionRefusals(meters), meters);
    }

    @Test
    void aConnectionOverItsCapIsRefusedAndKeepsTheOnesItHas() {
        List<SubscriptionCaps.Slot> held = open(key("c1", ACME, "key_a"), 3);
        assertEquals("too_many_subscriptions", refusal(key("c1", ACME, "key_a")));
        assertEquals(3, open(), "the three first ones still run");
        assertEquals(1.0, refused("too_many_per_connection", "acme"));
        // another connection of the same key is not affected
        assertDoesNotThrow(() -> caps.open(key("c2", ACME, "key_a")));
        held.getFirst().close();
        assertDoesNotThrow(() -> caps.open(key("c1", ACME, "key_a")), "an ended subscription frees its place");
    }

    @Test
    void aKeyOverItsCapOnAnyOfItsConnectionsIsRefused() {
        open(key("c1", ACME, "key_a"), 3);
        open(key("c2", ACME, "key_a"), 2);
        assertEquals("too_many_subscriptions", refusal(key("c3", ACME, "key_a")));
        assertEquals(1.0, refused("too_many_per_key", "acme"));
        // the refused one took no place on its connection: c3 may still hold three of another key's
        open(key("c3", ACME, "key_b"), 3);
        // nor are other keys and tenants affected
        assertDoesNotThrow(() -> caps.open(key("c4", OTHER, "key_a")));
        assertEquals(9, open());
    }

    @Test
    void closingASlotTwiceFreesOnePlace() {
        List<SubscriptionCaps.Slot> held = open(key("c1", ACME, "key_a"), 3);
        held.getFirst().close();
        held.getFirst().close();
        assertEquals(2, open());
        caps.open(key("c1", ACME, "key_a"));
        assertEquals("too_many_subscriptions", refusal(key("c1", ACME, "key_a")), "still at most three, not four");
    }

    @Test
    void allEndedLeavesNothingBehind() {
        List<SubscriptionCaps.Slot> held = new ArrayList<>(open(key("c1", ACME, "key_a"), 3));
        held.addAll(open(key("c2", ACME, "key_a"), 2));
        held.forEach(SubscriptionCaps.Slot::close);
        assertEquals(0, open());
        open(key("c3", ACME, "key_a"), 3);
        open(key("c4", ACME, "key_a"), 2);
    }

    private List<SubscriptionCaps.Slot> open(ConnectionKey key, int count) {
        List<SubscriptionCaps.Slot> slots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.add(caps.open(key));
        }
        return slots;
    }

    private String refusal(ConnectionKey key) {
        return assertThrows(AnalyticsException.class, () -> caps.open(key)).code();
    }

    private double open() {
        return meters.get("freshet.graphql.subscriptions").gauge().value();
    }

    private double refused(String reason, String tenant) {
        return meters.get("freshet.graphql.subscriptions.refused").tag("reason", reason).tag("tenant", tenant).counter().count();
    }

    private static ConnectionKey key(String connection, Tenant tenant, String keyId) {
        return new ConnectionKey(connection, tenant, keyId, "hash-of-" + keyId, null);
    }
}
