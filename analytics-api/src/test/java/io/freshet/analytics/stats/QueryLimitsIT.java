package io.freshet.analytics.stats;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant that asks the shared ClickHouse a question too heavy for it: its counts per minute over many types and
 * days, whose answer is longer than the store returns (max_result_rows, FRESHET_QUERY_MAX_RESULT_ROWS, 100,000 by
 * default). The rows go straight into ClickHouse, as months of a busy tenant's events would be. The heavy question is
 * refused with 400 query_too_large, on REST and in GraphQL, while another tenant is answered meanwhile.
 */
class QueryLimitsIT {

    private static final long MAX_RESULT_ROWS = Long.parseLong(System.getenv().getOrDefault("FRESHET_QUERY_MAX_RESULT_ROWS", "100000"));
    /** Minutes of events, within the API's 10,000 buckets a question may ask for. */
    private static final int MINUTES = 9_000;
    /** Enough types for a minute bucket per type and minute to make the answer a fifth longer than allowed. */
    private static final int TYPES = (int) Math.ceilDiv(MAX_RESULT_ROWS * 6 / 5, MINUTES);
    /** Received in the past too, so the dashboard's views of the last minutes (other tests') do not show these rows. */
    private static final Instant LAST_MINUTE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(15));
    private static final String FROM = LAST_MINUTE.minus(Duration.ofMinutes(MINUTES)).toString();
    private static final String TO = LAST_MINUTE.plus(Duration.ofMinutes(1)).toString();

    private static TestTenant heavy;
    private static TestTenant other;

    @BeforeAll
    static void aBusyTenantsEvents() {
        heavy = TestTenants.create("heavy");
        other = TestTenants.create("heavy-neighbour");
        long rows = (long) TYPES * MINUTES;
        ClickHouseProbe.query("""
                INSERT INTO freshet.events (tenant_id, event_id, type, event_time, received_at, user_id, session_id, properties)
                SELECT '%s', generateUUIDv4(), concat('heavy.t', toString(number %% %d)),
                       toDateTime64(%d - 60 * intDiv(number, %d), 3, 'UTC') AS happened, happened,
                       concat('u', toString(number %% 1000)), '', '{}'
                FROM numbers(%d)""".formatted(heavy.id(), TYPES, LAST_MINUTE.getEpochSecond(), TYPES, rows));
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(heavy.id()) == rows);
    }

    @Test
    void aQuestionOverTheLimitIsRefusedWhileAnotherTenantIsAnswered() throws Exception {
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Response> heavyAnswer = clients.submit(() -> counts(heavy));
            Future<Response> neighbourAnswer = clients.submit(() -> counts(other));
            Response refused = heavyAnswer.get();
            assertEquals(400, refused.statusCode(), refused.asString());
            assertEquals("query_too_large", refused.path("error.code"));
            assertTrue(refused.<String>path("error.message").contains("longer answer"), refused.asString());
            assertEquals(200, neighbourAnswer.get().statusCode(), neighbourAnswer.get().asString());
        }
        // the refusal was the question's, not the store's: the heavy tenant's lighter question is answered
        given().baseUri(LocalStack.analyticsUrl()).header("Authorization", heavy.bearer())
                .queryParam("from", FROM).queryParam("to", TO).queryParam("interval", "day")
                .get("/v1/stats/counts").then().statusCode(200);
    }

    @Test
    void graphQlRefusesItWithTheSameCode() {
        Response response = given().baseUri(LocalStack.analyticsUrl()).header("Authorization", heavy.bearer())
                .contentType(ContentType.JSON)
                .body(Map.of("query", "{ eventCounts(from: \"%s\", to: \"%s\", interval: \"minute\") { start type count } }"
                        .formatted(FROM, TO)))
                .post("/graphql");
        assertEquals(200, response.statusCode(), response.asString());
        assertEquals("query_too_large", response.path("errors[0].extensions.code"), response.asString());
    }

    private static Response counts(TestTenant tenant) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .queryParam("from", FROM).queryParam("to", TO).queryParam("interval", "minute")
                .get("/v1/stats/counts");
    }
}
