package io.freshet.enricher.dedup;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries by event_id on the running stack: copies of an event, in separate requests or in one, are stored, rolled up
 * and billed once, also when the enricher is killed between them and its local store is lost. Each check waits for a
 * marker event of the same user sent after the copies: one user's events are processed in order, so once the marker
 * is stored every copy before it has been decided.
 */
class DeduplicationIT {

    @Test
    void anEventSentThreeTimesAndTwiceInOneRequestIsStoredCountedAndBilledOnce() {
        TestTenant tenant = TestTenants.create("dedup");
        String id = UUID.randomUUID().toString();
        String copy = event(id, "order.created");
        for (int request = 0; request < 3; request++) {
            assertEquals(List.of(id, id), Ingest.send(tenant, "[" + copy + "," + copy + "]"), "the gateway answers each copy with its id");
        }
        awaitMarker(tenant);
        assertEquals("2\t2", ClickHouseProbe.rowsAndIdsOf(tenant.id()), "one row for the six copies, one for the marker");
        assertEquals(1, countOf(tenant, "order.created"), "the rollup counts it once");
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.billedEventsOf(tenant.id()) >= 2);
        assertEquals(2, ClickHouseProbe.billedEventsOf(tenant.id()), "billed once");
    }

    @Test
    void aRetryAfterTheEnricherWasKilledAndLostItsLocalStoreIsStillADuplicate() throws Exception {
        TestTenant tenant = TestTenants.create("dedup-kill");
        String id = UUID.randomUUID().toString();
        Ingest.send(tenant, event(id, "payment.captured"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 1);

        Freshet.kill("enricher");
        deleteLocalStore(); // as a new pod would start: only Kafka's changelog knows the ids
        Ingest.send(tenant, event(id, "payment.captured")); // the gateway takes it while the enricher is down
        Freshet.run("up", "enricher");
        Ingest.send(tenant, event(id, "payment.captured"));

        awaitMarker(tenant);
        assertEquals("2\t2", ClickHouseProbe.rowsAndIdsOf(tenant.id()), "the two retries were dropped");
        assertEquals(1, countOf(tenant, "payment.captured"));
    }

    /** Every copy sent before it has been decided once this is stored. */
    private static void awaitMarker(TestTenant tenant) {
        String marker = UUID.randomUUID().toString();
        Ingest.send(tenant, event(marker, "marker"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Long.parseLong(ClickHouseProbe.query(
                "SELECT count() FROM freshet.events WHERE tenant_id = '" + tenant.id() + "' AND event_id = '" + marker + "'")) == 1);
    }

    /** The copies and the marker share a user, so a partition and an order. */
    private static String event(String id, String type) {
        return "{\"event_id\":\"" + id + "\",\"type\":\"" + type + "\",\"user_id\":\"buyer\",\"properties\":{\"total\":42}}";
    }

    /** The analytics API's count of the type over the last hour. */
    private static int countOf(TestTenant tenant, String type) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<Integer> counts = given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .queryParam("from", now.minus(Duration.ofHours(1)).toString())
                .queryParam("to", now.plus(Duration.ofMinutes(2)).toString())
                .queryParam("interval", "hour").queryParam("type", type)
                .get("/v1/stats/counts").then().statusCode(200).extract().path("buckets.count");
        return counts.stream().mapToInt(Integer::intValue).sum();
    }

    private static void deleteLocalStore() throws Exception {
        Path store = LocalStack.repositoryRoot().resolve(".freshet/data/enricher-" + LocalStack.INSTANCE_ID + "/event-ids");
        assertTrue(Files.isDirectory(store), "the enricher keeps its event ids in " + store);
        try (Stream<Path> files = Files.walk(store)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
