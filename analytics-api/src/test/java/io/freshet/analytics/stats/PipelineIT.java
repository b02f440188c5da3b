package io.freshet.analytics.stats;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end on the running stack: events sent to the gateway are stored in ClickHouse exactly once,
 * with their source coordinates, and counted by the analytics API for their tenant only.
 */
class PipelineIT {

    private static final Instant MINUTE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
    private static TestTenant tenant;
    private static TestTenant other;

    @BeforeAll
    static void sendEvents() {
        tenant = TestTenants.create("pipeline");
        other = TestTenants.create("pipeline-other");
        String at = MINUTE.plusSeconds(10).toString();
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer())
                .contentType("application/x-ndjson")
                .body(("""
                        {"type":"page.viewed","user_id":"u1","timestamp":"%1$s"}
                        {"type":"page.viewed","user_id":"u2","timestamp":"%1$s"}
                        {"type":"page.viewed","user_id":"u1","timestamp":"%1$s"}
                        {"type":"order.created","user_id":"u2","timestamp":"%1$s","properties":{"total":9.5}}
                        {"type":"order.created","timestamp":"%1$s"}
                        """).formatted(at).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(202).body("accepted", equalTo(5));
    }

    @Test
    void eventsAreStoredInClickHouseExactlyOnceWithTheirSourceRecord() {
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 5);
        assertEquals("5\t5\t1", ClickHouseProbe.query("SELECT count(), uniqExact(event_id), min(source_offset) >= 0 "
                + "FROM freshet.events WHERE tenant_id = '" + tenant.id() + "'"));
        assertEquals("freshet.events.enriched", ClickHouseProbe.query("SELECT DISTINCT source_topic FROM freshet.events "
                + "WHERE tenant_id = '" + tenant.id() + "'"));
        assertEquals("{\"total\":9.5}", ClickHouseProbe.query("SELECT properties FROM freshet.events WHERE tenant_id = '"
                + tenant.id() + "' AND type = 'order.created' AND user_id = 'u2'"));
    }

    @Test
    void countsArePerMinuteAndTypeWithUniqueUsers() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> counts(tenant, Map.of())
                .body("buckets", hasSize(2))
                .body("buckets[0].type", equalTo("order.created"))
                .body("buckets[0].count", equalTo(2))
                .body("buckets[0].users", equalTo(1))
                .body("buckets[0].start", equalTo(MINUTE.toString()))
                .body("buckets[1].type", equalTo("page.viewed"))
                .body("buckets[1].count", equalTo(3))
                .body("buckets[1].users", equalTo(2)));
        counts(tenant, Map.of("type", "page.viewed", "interval", "hour"))
                .body("buckets", hasSize(1)).body("buckets[0].count", equalTo(3))
                .body("buckets[0].start", equalTo(MINUTE.truncatedTo(ChronoUnit.HOURS).toString()));
    }

    @Test
    void aTenantNeverSeesAnotherTenantsCounts() {
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 5);
        counts(other, Map.of()).body("buckets", hasSize(0));
        counts(other, Map.of("tenant_id", tenant.id(), "tenant", tenant.id())).body("buckets", hasSize(0));
    }

    @Test
    void refusesBadQueriesWithAClearError() {
        given().baseUri(LocalStack.analyticsUrl()).get("/v1/stats/counts").then().statusCode(401);
        for (var bad : List.of(Map.of("interval", "week"), Map.of("from", "yesterday"),
                Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"),
                Map.of("from", "2000-01-01T00:00:00Z", "interval", "minute"),
                Map.of("type", "9starts.with.a.digit"))) {
            given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                    .queryParams(bad).get("/v1/stats/counts").then().statusCode(400).body("error.code", org.hamcrest.Matchers.notNullValue());
        }
        // a type name may hold quotes ("Kid's Order"): it is bound as a parameter, never spliced into the SQL
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .queryParam("type", "x' OR 1=1 --").get("/v1/stats/counts").then().statusCode(200)
                .body("buckets", org.hamcrest.Matchers.empty());
    }

    private static io.restassured.response.ValidatableResponse counts(TestTenant who, Map<String, String> extra) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", who.bearer())
                .queryParam("from", MINUTE.minus(Duration.ofMinutes(1)).toString())
                .queryParam("to", MINUTE.plus(Duration.ofMinutes(2)).toString())
                .queryParams(extra)
                .get("/v1/stats/counts").then().statusCode(200);
    }
}
