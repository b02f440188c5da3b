package io.freshet.analytics.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real graphql-ws client (npm graphql-ws, tests/sdk/subscribe-counts.mjs) subscribed to liveEventCounts with a read
 * key sees its tenant's counts move as events flow, and never another tenant's; other keys are refused.
 */
class LiveSubscriptionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "live.watched";
    private static final int SENT = 5;

    @Test
    void theCountsOfTheKeysTenantMoveAsItsEventsAreStored() throws Exception {
        var watched = TestTenants.create("live");
        var other = TestTenants.create("live-other");
        Ingest.send(other, "[" + ("{\"type\":\"" + TYPE + "\"},").repeat(SENT) + "{\"type\":\"" + TYPE + "\"}]");
        String readKey = TestTenants.createKey(watched.id(), "read").apiKey();
        NodeScript.Result run;
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var subscription = sender.submit(() -> NodeScript.run("subscribe-counts.mjs", Map.of(
                    "FRESHET_ANALYTICS_URL", LocalStack.analyticsUrl(), "FRESHET_READ_KEY", readKey, "TYPE", TYPE,
                    "TARGET", String.valueOf(SENT), "TIMEOUT_MS", "60000"), Duration.ofSeconds(90)));
            for (int i = 0; i < SENT; i++) {
                Ingest.send(watched, "{\"type\":\"" + TYPE + "\"}");
                Thread.sleep(400); // a flow over a few pushes, so the counts are seen moving
            }
            run = subscription.get();
        }
        assertEquals(0, run.exitCode(), run.toString());
        List<Long> counts = new ArrayList<>();
        for (String line : run.lines()) {
            long count = 0;
            for (JsonNode entry : JSON.readTree(line).path("data").path("liveEventCounts")) {
                count += entry.get("type").asText().equals(TYPE) ? entry.get("count").asLong() : 0;
            }
            counts.add(count);
        }
        assertTrue(counts.size() >= 2 && counts.getFirst() < SENT, "counts moved: " + counts);
        assertEquals(SENT, counts.getLast(), "only the key's tenant's events, each once: " + counts);
        for (int i = 1; i < counts.size(); i++) {
            assertTrue(counts.get(i) > counts.get(i - 1), "pushed only when changed: " + counts);
        }
    }

    @Test
    void aWriteKeyOrAnUnknownKeyIsRefusedAtConnection() throws Exception {
        var tenant = TestTenants.create("live-refused");
        String writeKey = TestTenants.createKey(tenant.id(), "write").apiKey();
        for (String key : List.of(writeKey, "fsk_unknown")) {
            var run = NodeScript.run("subscribe-counts.mjs", Map.of("FRESHET_ANALYTICS_URL", LocalStack.analyticsUrl(),
                    "FRESHET_READ_KEY", key, "TYPE", TYPE, "TARGET", "1", "TIMEOUT_MS", "15000"), Duration.ofSeconds(30));
            assertEquals(3, run.exitCode(), run.toString());
            assertTrue(run.stdout().contains("\"closeCode\":4403"), run.toString());
        }
    }
}
