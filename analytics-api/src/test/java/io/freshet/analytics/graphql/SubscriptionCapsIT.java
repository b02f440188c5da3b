package io.freshet.analytics.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A client that opens more subscriptions than the caps allow (the stack's defaults, or FRESHET_SUBSCRIPTIONS_PER_*):
 * the one over the cap gets a too_many_subscriptions error and ends, the ones it holds keep pushing, and the key's
 * other holders are not affected.
 */
class SubscriptionCapsIT {

    private static final int PER_CONNECTION = setting("FRESHET_SUBSCRIPTIONS_PER_CONNECTION", 5);
    private static final int PER_KEY = setting("FRESHET_SUBSCRIPTIONS_PER_KEY", 20);
    private static final Duration PUSH = Duration.ofSeconds(30);
    private static final String TYPE = "capped.watched";
    private static final String COUNTS = "subscription { liveEventCounts(minutes: 15) { type count } }";

    @Test
    void moreSubscriptionsThanAConnectionMayHoldAreRefusedWhileTheFirstOnesKeepPushing() throws Exception {
        var tenant = TestTenants.create("caps-connection");
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        try (var connection = GraphQLWebSocket.initialized(readKey)) {
            for (int i = 1; i <= PER_CONNECTION; i++) {
                connection.subscribe("live-" + i, COUNTS);
                assertNull(GraphQLWebSocket.errorCode(connection.next("live-" + i, PUSH)), "an answer, now");
            }
            connection.subscribe("one-too-many", COUNTS);
            JsonNode refused = connection.next("one-too-many", PUSH);
            assertEquals("too_many_subscriptions", GraphQLWebSocket.errorCode(refused), refused.toString());
            assertEquals("complete", connection.next("one-too-many", PUSH).path("type").asText());

            Ingest.send(tenant, "[{\"type\":\"" + TYPE + "\"},{\"type\":\"" + TYPE + "\"}]");
            for (int i = 1; i <= PER_CONNECTION; i++) {
                awaitCount(connection, "live-" + i, 2);
            }
        }
    }

    @Test
    void moreSubscriptionsThanAKeyMayHoldAreRefusedOnAnyConnectionAndOtherKeysGoOn() throws Exception {
        var tenant = TestTenants.create("caps-key");
        String readKey = TestTenants.createKey(tenant.id(), "read").apiKey();
        List<GraphQLWebSocket> connections = new ArrayList<>();
        try {
            int held = 0;
            while (held < PER_KEY) {
                var connection = GraphQLWebSocket.initialized(readKey);
                connections.add(connection);
                for (int i = 0; i < PER_CONNECTION && held < PER_KEY; i++, held++) {
                    connection.subscribe("live-" + i, COUNTS);
                    assertNull(GraphQLWebSocket.errorCode(connection.next("live-" + i, PUSH)));
                }
            }
            var fresh = GraphQLWebSocket.initialized(readKey);
            connections.add(fresh);
            fresh.subscribe("over-the-key", COUNTS);
            JsonNode refused = fresh.next("over-the-key", PUSH);
            assertEquals("too_many_subscriptions", GraphQLWebSocket.errorCode(refused), refused.toString());

            var otherKey = GraphQLWebSocket.initialized(TestTenants.createKey(tenant.id(), "read").apiKey());
            connections.add(otherKey);
            otherKey.subscribe("other-key", COUNTS);
            assertNull(GraphQLWebSocket.errorCode(otherKey.next("other-key", PUSH)), "another key of the tenant subscribes");

            // one of the key's subscriptions ending frees a place for it (once the server read the other connection's complete)
            connections.getFirst().complete("live-0");
            String code = "too_many_subscriptions";
            for (int attempt = 0; attempt < 20 && code != null; attempt++) {
                Thread.sleep(attempt == 0 ? 0 : 250);
                fresh.subscribe("after-one-ended-" + attempt, COUNTS);
                code = GraphQLWebSocket.errorCode(fresh.next("after-one-ended-" + attempt, PUSH));
            }
            assertNull(code, "a place was freed");
        } finally {
            connections.forEach(GraphQLWebSocket::close);
        }
    }

    /** Waits for the push in which the subscription counts this many events of the type. */
    private static void awaitCount(GraphQLWebSocket connection, String id, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode message = connection.next(id, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertNull(GraphQLWebSocket.errorCode(message), message.toString());
            for (JsonNode entry : message.path("payload").path("data").path("liveEventCounts")) {
                if (entry.path("type").asText().equals(TYPE) && entry.path("count").asLong() == count) {
                    return;
                }
            }
        }
        throw new AssertionError(id + " never pushed a count of " + count);
    }

    private static int setting(String name, int stackDefault) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? stackDefault : Integer.parseInt(value);
    }
}
