package io.freshet.ingest.endpoint;

import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A tenant over its events per second gets 429 with Retry-After, and is served again in the next second. */
class RateLimitIT {

    private static final String TEN_EVENTS = "[" + "{\"type\":\"rate.checked\"},".repeat(9) + "{\"type\":\"rate.checked\"}]";

    @Test
    void aTenantOverItsRateGets429UntilTheNextSecond() {
        var tenant = TestTenants.create("rate");
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", "Bearer " + LocalStack.adminToken())
                .contentType(ContentType.JSON).body("{\"eventsPerSecond\":25}")
                .put("/v1/admin/tenants/" + tenant.id() + "/limits").then().statusCode(200);
        var other = TestTenants.create("rate-other");

        // the limit reaches the gateway through freshet.tenants; from then on a burst of 4 x 10 events
        // within one second has at most 2 requests accepted and the others refused
        await().atMost(Duration.ofSeconds(10)).until(() -> burstRefused(tenant));
        var refused = post(tenant);
        while (refused.statusCode() == 202) {
            refused = post(tenant);
        }
        assertEquals(429, refused.statusCode());
        assertEquals("1", refused.header("Retry-After"));
        refused.then().body("error.code", equalTo("rate_limited"));

        assertEquals(202, post(other).statusCode(), "another tenant is not held back");
        await().atMost(Duration.ofSeconds(3)).until(() -> post(tenant).statusCode() == 202);
    }

    private static boolean burstRefused(TestTenants.TestTenant tenant) {
        int accepted = 0;
        int limited = 0;
        for (int i = 0; i < 4; i++) {
            int status = post(tenant).statusCode();
            accepted += status == 202 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        return accepted <= 2 && limited > 0;
    }

    private static io.restassured.response.Response post(TestTenants.TestTenant tenant) {
        return given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer())
                .contentType(ContentType.JSON).body(TEN_EVENTS).post("/v1/events");
    }
}
