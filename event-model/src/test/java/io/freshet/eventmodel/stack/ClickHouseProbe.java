package io.freshet.eventmodel.stack;

import io.restassured.http.ContentType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Asks the stack's ClickHouse over its HTTP interface, as an analyst would. */
public final class ClickHouseProbe {

    private ClickHouseProbe() {
    }

    /** The answer in TabSeparated, trimmed. */
    public static String query(String sql) {
        return given().baseUri(LocalStack.clickHouseUrl()).contentType(ContentType.TEXT)
                .body(sql.getBytes(StandardCharsets.UTF_8))
                .post("/").then().statusCode(200).extract().asString().strip();
    }

    /** How many rows of the tenant freshet.events holds. */
    public static long eventsOf(String tenant) {
        return Long.parseLong(query("SELECT count() FROM freshet.events WHERE tenant_id = '" + tenant + "'"));
    }

    /** The tenant's rows in freshet.events and their distinct event ids, as "rows<TAB>ids": equal when none is doubled. */
    public static String rowsAndIdsOf(String tenant) {
        return query("SELECT count(), uniqExact(event_id) FROM freshet.events WHERE tenant_id = '" + tenant + "'");
    }

    /** Waits for the tenant's rows, then checks that there are exactly that many, each with its own event id. */
    public static void awaitStoredOnce(String tenant, long events) {
        await().atMost(Duration.ofSeconds(90)).until(() -> eventsOf(tenant) >= events);
        assertEquals(events + "\t" + events, rowsAndIdsOf(tenant), "rows and distinct event ids");
    }

    /** The events freshet.billing_usage bills the tenant for: each minute's newest total, summed. */
    public static long billedEventsOf(String tenant) {
        return Long.parseLong(query("SELECT sum(events) FROM freshet.billing_usage FINAL WHERE tenant_id = '" + tenant + "'"));
    }
}
