package io.freshet.analytics.graphql;

import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page of a foreign site opening the GraphQL WebSocket with a read key it got hold of, as a browser does: the
 * browser sends the page's Origin and no preflight guards it, so the API applies the tenant's CORS origins itself.
 * Clients that are no browser send no Origin and are let in, as for CORS.
 */
class WebSocketOriginIT {

    private static final String COUNTS = "subscription { liveEventCounts(minutes: 5) { type count } }";
    private static final Duration PUSH = Duration.ofSeconds(30);

    @Test
    void anUpgradeFromAPageNoTenantAllowsIsRefusedBeforeTheSocketOpens() {
        assertEquals(403, GraphQLWebSocket.refusedUpgradeFrom("https://attacker-" + UUID.randomUUID() + ".invalid"));
    }

    @Test
    void aKeyUsedFromAPageOfAnotherTenantsOriginIsClosedAtConnectionInit() throws Exception {
        String shop = "https://shop-" + UUID.randomUUID().toString().substring(0, 8) + ".invalid";
        var owner = TestTenants.create("origin-owner");
        TestTenants.allowOrigins(owner.id(), shop);
        var victim = TestTenants.create("origin-victim");
        String victimsKey = TestTenants.createKey(victim.id(), "read").apiKey();
        try (var page = openOnceAllowed(shop)) {
            assertFalse(page.init(victimsKey), "the victim's tenant does not allow " + shop);
            assertEquals(4403, page.awaitClose(Duration.ofSeconds(10)));
        }
        // the owner's own page reads with the owner's key
        try (var page = GraphQLWebSocket.openFrom(shop)) {
            assertTrue(page.init(TestTenants.createKey(owner.id(), "read").apiKey()));
            page.subscribe("live", COUNTS);
            assertNull(GraphQLWebSocket.errorCode(page.next("live", PUSH)));
        }
    }

    @Test
    void aPageWhoseOriginIsTakenAwayMidStreamStopsReading() throws Exception {
        String app = "https://app-" + UUID.randomUUID().toString().substring(0, 8) + ".invalid";
        var tenant = TestTenants.create("origin-removed");
        TestTenants.allowOrigins(tenant.id(), app);
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        try (var page = openOnceAllowed(app)) {
            assertTrue(page.init(readKey));
            page.subscribe("live", COUNTS);
            assertNull(GraphQLWebSocket.errorCode(page.next("live", PUSH)));
            TestTenants.allowOrigins(tenant.id());
            var message = page.next("live", PUSH);
            while (GraphQLWebSocket.errorCode(message) == null && message.path("type").asText().equals("next")) {
                message = page.next("live", PUSH);
            }
            assertEquals("origin_not_allowed", GraphQLWebSocket.errorCode(message), message.toString());
        }
    }

    @Test
    void aClientThatIsNoBrowserSendsNoOriginAndIsLetIn() throws Exception {
        var tenant = TestTenants.create("origin-none");
        try (var script = GraphQLWebSocket.initialized(TestTenants.createKey(tenant.id(), "read").apiKey())) {
            script.subscribe("live", COUNTS);
            assertNull(GraphQLWebSocket.errorCode(script.next("live", PUSH)));
        }
    }

    /** A page's connection, once the origin a tenant just allowed reached this instance (through freshet.tenants). */
    private static GraphQLWebSocket openOnceAllowed(String origin) {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> GraphQLWebSocket.openFrom(origin), Objects::nonNull);
    }
}
