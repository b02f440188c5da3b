package io.freshet.ingest.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.NodeScript;
import io.freshet.eventmodel.stack.TestTenants;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The official Segment and RudderStack Node SDKs from npm, unchanged, pointed at the gateway (tests/sdk/send-with-sdk.mjs):
 * their track, page and identify calls end up in freshet.events once each, also when the SDK retries a batch the
 * gateway had already stored (the script's proxy answers the first one 503 after the gateway took it).
 */
class SegmentSdkIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"segment", "rudderstack"})
    void theSdksCallsAreStoredExactlyOnceThoughItRetried(String sdk) throws Exception {
        var tenant = TestTenants.create("sdk-" + sdk);
        String writeKey = TestTenants.createKey(tenant.id(), "write").apiKey();
        var run = NodeScript.run("send-with-sdk.mjs", Map.of("FRESHET_INGEST_URL", LocalStack.ingestUrl(),
                "FRESHET_WRITE_KEY", writeKey, "RUN_ID", UUID.randomUUID().toString()), Duration.ofSeconds(120), sdk);
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.lines().getLast());
        assertEquals(1, report.get("retriedAfterStored").asInt(), "the SDK sent a stored batch again: " + report);

        Set<String> expectedIds = StreamSupport.stream(report.get("messageIds").spliterator(), false)
                .map(id -> SegmentMessages.eventId(id.asText())).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(4, expectedIds.size());
        // the retry's copies would arrive with the originals: the count stays at the calls made
        await().atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(3))
                .until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 4);
        assertEquals("4\t4", ClickHouseProbe.rowsAndIdsOf(tenant.id()));
        assertEquals(String.join("\n", expectedIds), ClickHouseProbe.query("SELECT toString(event_id) FROM freshet.events "
                + "WHERE tenant_id = '" + tenant.id() + "' ORDER BY toString(event_id)"), "event_id is derived from messageId");
        assertEquals("Order Completed\nProduct Viewed\nidentify\npage", ClickHouseProbe.query("SELECT type FROM "
                + "freshet.events WHERE tenant_id = '" + tenant.id() + "' ORDER BY type"));
    }
}
