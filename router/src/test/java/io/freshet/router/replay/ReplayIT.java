package io.freshet.router.replay;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `./freshet replay` restores the rows ClickHouse lost, and only those: a tenant's replay leaves other tenants alone,
 * and replaying what is all there changes nothing.
 */
class ReplayIT {

    @Test
    void aReplayRestoresWhatClickHouseLostExactlyOnce() throws Exception {
        String tenant = TestTenants.create("replay").id();
        String other = TestTenants.create("replay-other").id();
        Instant before = Instant.now().minusSeconds(1);
        List<String> tenantIds = send(tenant, 300);
        List<String> otherIds = send(other, 100);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> ClickHouseProbe.eventsOf(tenant) == 300 && ClickHouseProbe.eventsOf(other) == 100);

        lose(tenant, tenantIds.subList(0, 60));
        lose(other, otherIds.subList(0, 10));
        assertEquals(240, ClickHouseProbe.eventsOf(tenant));

        String replayed = Freshet.run("replay", "--tenant", tenant, "--from", before.toString());
        assertTrue(replayed.contains("read 300 records: restored 60 rows, 240 already stored, 0 dead-lettered"), replayed);
        assertEquals("300\t300", ClickHouseProbe.rowsAndIdsOf(tenant));
        assertEquals("90\t90", ClickHouseProbe.rowsAndIdsOf(other), "another tenant's replay leaves this one alone");

        String all = Freshet.run("replay", "--from", before.toString());
        assertTrue(all.contains("restored 10 rows"), all);
        assertEquals("300\t300", ClickHouseProbe.rowsAndIdsOf(tenant), "nothing of it was missing: nothing doubled");
        assertEquals("100\t100", ClickHouseProbe.rowsAndIdsOf(other));
    }

    @Test
    void aReplayNeedsTheAdminTokenAndOneStartingPoint() {
        given().baseUri(LocalStack.routerUrl()).contentType(ContentType.JSON).body("{\"from_offset\": 0}")
                .post("/v1/admin/replays").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().baseUri(LocalStack.routerUrl()).auth().oauth2(LocalStack.adminToken()).contentType(ContentType.JSON)
                .body("{\"from\": \"2026-01-01T00:00:00Z\", \"from_offset\": 0}")
                .post("/v1/admin/replays").then().statusCode(400).body("error.code", equalTo("invalid_replay"))
                .body("error.message", containsString("either 'from'"));
        given().baseUri(LocalStack.routerUrl()).auth().oauth2(LocalStack.adminToken()).contentType(ContentType.JSON)
                .body("{\"from\": \"yesterday\"}")
                .post("/v1/admin/replays").then().statusCode(400).body("error.message", containsString("ISO-8601"));
    }

    private static List<String> send(String tenant, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            records.add(RawEvents.record(tenant, "u" + i % 10, id, "replay.tested"));
        }
        TopicProbe.sendAll(records);
        return ids;
    }

    /** As a dropped partition or an old backup would lose them. */
    private static void lose(String tenant, List<String> ids) {
        ClickHouseProbe.query("ALTER TABLE freshet.events DELETE WHERE tenant_id = '" + tenant + "' AND event_id IN ("
                + ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(",")) + ") SETTINGS mutations_sync = 2");
    }
}
