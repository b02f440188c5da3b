package io.freshet.analytics.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Objects;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A subscriber whose key is taken away mid-stream: revoked or rotated by the tenant's admin, the key stops reading
 * within a few pushes (the key is checked again before each), on every connection that holds it, and a new
 * subscription on the same connection is refused too.
 */
class SubscriptionRevocationIT {

    private static final String COUNTS = "subscription { liveEventCounts(minutes: 5) { type count } }";
    private static final Duration FIRST_PUSH = Duration.ofSeconds(30);
    /** A few pushes of 2 s, after the change went through freshet.tenants. */
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(20);

    @Test
    void aRevokedKeysSubscriptionsEndWithinAFewPushes() throws Exception {
        var tenant = TestTenants.create("revoked");
        var key = TestTenants.createKey(tenant.id(), "read");
        try (var connection = GraphQLWebSocket.initialized(key.apiKey());
             var another = GraphQLWebSocket.initialized(key.apiKey())) {
            connection.subscribe("watched", COUNTS);
            another.subscribe("also-watched", "subscription { latestEvents(limit: 5) { type eventTime } }");
            assertNull(GraphQLWebSocket.errorCode(connection.next("watched", FIRST_PUSH)));
            assertNull(GraphQLWebSocket.errorCode(another.next("also-watched", FIRST_PUSH)));

            TestTenants.admin().delete("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + key.id()).then().statusCode(204);

            assertEnded(connection, "watched", "key_revoked");
            assertEnded(another, "also-watched", "key_revoked");
            connection.subscribe("after-revocation", COUNTS);
            assertEquals("key_revoked", GraphQLWebSocket.errorCode(connection.next("after-revocation", FIRST_PUSH)));
        }
    }

    @Test
    void aRotatedKeysSubscriptionsEndAndTheNewSecretSubscribes() throws Exception {
        var tenant = TestTenants.create("rotated");
        var key = TestTenants.createKey(tenant.id(), "read");
        try (var connection = GraphQLWebSocket.initialized(key.apiKey())) {
            connection.subscribe("watched", COUNTS);
            assertNull(GraphQLWebSocket.errorCode(connection.next("watched", FIRST_PUSH)));

            String rotated = TestTenants.admin().post("/v1/admin/tenants/" + tenant.id() + "/api-keys/" + key.id() + "/rotate")
                    .then().statusCode(200).extract().path("apiKey");

            assertEnded(connection, "watched", "key_revoked");
            // the new secret reaches this instance through freshet.tenants within moments
            try (var renewed = await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged(rotated), Objects::nonNull)) {
                renewed.subscribe("watched-again", COUNTS);
                assertNull(GraphQLWebSocket.errorCode(renewed.next("watched-again", FIRST_PUSH)));
            }
        }
    }

    /** A connection the key initialized, or null (closed) while the key is not known yet. */
    private static GraphQLWebSocket acknowledged(String apiKey) throws Exception {
        var connection = GraphQLWebSocket.open();
        if (connection.init(apiKey)) {
            return connection;
        }
        connection.close();
        return null;
    }

    /** Skips the answers pushed before the change took effect, then expects the refusal and the end. */
    private static void assertEnded(GraphQLWebSocket connection, String id, String code) throws InterruptedException {
        long deadline = System.nanoTime() + ENDS_WITHIN.toNanos();
        JsonNode message;
        do {
            message = connection.next(id, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } while (GraphQLWebSocket.errorCode(message) == null && message.path("type").asText().equals("next"));
        assertEquals(code, GraphQLWebSocket.errorCode(message), message.toString());
        assertEquals("complete", connection.next(id, Duration.ofSeconds(5)).path("type").asText());
    }
}
