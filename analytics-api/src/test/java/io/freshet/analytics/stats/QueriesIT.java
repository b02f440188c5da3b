package io.freshet.analytics.stats;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each query of the analytics API against known events (exact answers), scoped to the caller's tenant, and its
 * refusals of bad input. Five users, eight events over three minutes: a sign-up funnel and an order.
 */
class QueriesIT {

    private static final Instant T = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MINUTES);
    private static final String FROM = T.toString();
    private static final String TO = T.plus(Duration.ofMinutes(5)).toString();
    private static TestTenant tenant;
    private static TestTenant other;

    @BeforeAll
    static void sendKnownEvents() {
        tenant = TestTenants.create("queries");
        other = TestTenants.create("queries-other");
        send(tenant, """
                {"type":"signup.started","user_id":"u1","timestamp":"%s","properties":{"plan":"free"}}
                {"type":"signup.started","user_id":"u2","timestamp":"%s","properties":{"plan":"free"}}
                {"type":"signup.started","user_id":"u3","timestamp":"%s","properties":{"plan":"pro"}}
                {"type":"signup.completed","user_id":"u4","timestamp":"%s"}
                {"type":"order.created","user_id":"u5","timestamp":"%s"}
                {"type":"signup.completed","user_id":"u1","timestamp":"%s"}
                {"type":"signup.completed","user_id":"u2","timestamp":"%s"}
                {"type":"order.created","user_id":"u1","timestamp":"%s","properties":{"plan":"pro"}}
                """.formatted(at(0), at(10), at(20), at(30), at(40), at(60), at(70), at(120)));
        send(other, """
                {"type":"signup.started","user_id":"u1","timestamp":"%s","properties":{"plan":"free"}}
                """.formatted(at(5)));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                ClickHouseProbe.eventsOf(tenant.id()) == 8 && ClickHouseProbe.eventsOf(other.id()) == 1);
    }

    @Test
    void topValuesOfAColumnAndOfAProperty() {
        as(tenant).queryParam("dimension", "type").get("/v1/stats/top").then().statusCode(200)
                .body("values.value", contains("signup.completed", "signup.started", "order.created"))
                .body("values.count", contains(3, 3, 2))
                .body("values.users", contains(3, 3, 2));
        as(tenant).queryParam("dimension", "property.plan").get("/v1/stats/top").then().statusCode(200)
                .body("values.value", contains("", "free", "pro"))
                .body("values.count", contains(4, 2, 2));
        as(tenant).queryParam("dimension", "property.plan").queryParam("type", "signup.started").queryParam("limit", "1")
                .get("/v1/stats/top").then().statusCode(200)
                .body("values.value", contains("free")).body("values.count", contains(2));
    }

    @Test
    void aFunnelCountsTheUsersWhoDidTheStepsInOrder() {
        as(tenant).queryParam("steps", "signup.started,signup.completed,order.created").queryParam("window", "PT10M")
                .get("/v1/stats/funnel").then().statusCode(200)
                .body("steps.type", contains("signup.started", "signup.completed", "order.created"))
                .body("steps.users", contains(3, 2, 1));
    }

    @Test
    void distinctUsersPerMinute() {
        as(tenant).queryParam("interval", "minute").get("/v1/stats/users").then().statusCode(200)
                .body("buckets.start", contains(at(0), at(60), at(120)))
                .body("buckets.users", contains(5, 2, 1));
    }

    @Test
    void theLatestEventsPageByCursorWithoutRepeatsOrGaps() {
        var first = as(tenant).queryParam("limit", "3").get("/v1/events").then().statusCode(200)
                .body("events.userId", contains("u1", "u2", "u1"))
                .body("events[0].type", equalTo("order.created"))
                .body("events[0].properties.plan", equalTo("pro")).extract();
        var second = as(tenant).queryParam("limit", "3").queryParam("cursor", first.path("nextCursor").toString())
                .get("/v1/events").then().statusCode(200).body("events.userId", contains("u5", "u4", "u3")).extract();
        as(tenant).queryParam("limit", "3").queryParam("cursor", second.path("nextCursor").toString())
                .get("/v1/events").then().statusCode(200)
                .body("events.userId", contains("u2", "u1")).body("nextCursor", nullValue());
    }

    @Test
    void aTenantSeesOnlyItsOwnEventsWhateverItAsks() {
        List<String> seen = as(other).queryParam("tenant_id", tenant.id()).queryParam("tenant", tenant.id())
                .get("/v1/events").then().statusCode(200).extract().path("events.type");
        assertEquals(List.of("signup.started"), seen);
        as(other).queryParam("dimension", "type").get("/v1/stats/top").then().statusCode(200)
                .body("values.count", contains(1));
        as(other).queryParam("steps", "signup.started,signup.completed").get("/v1/stats/funnel").then().statusCode(200)
                .body("steps.users", contains(1, 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /v1/stats/top    | dimension=country                            | invalid_dimension
            /v1/stats/top    | dimension=property.plan') OR 1=1 --          | invalid_dimension
            /v1/stats/top    | dimension=type&type=9starts.with.a.digit     | invalid_type
            /v1/stats/top    | dimension=type&limit=many                    | invalid_limit
            /v1/stats/top    | dimension=type&limit=100000                  | invalid_limit
            /v1/stats/top    | dimension=type&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z | invalid_range
            /v1/stats/top    | dimension=type&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z | range_too_large
            /v1/stats/funnel | steps=signup.started                         | invalid_steps
            /v1/stats/funnel | steps=a,b&window=P30D                        | invalid_window
            /v1/stats/funnel | steps=a,b&window=soon                        | invalid_window
            /v1/stats/users  | interval=week                                | invalid_interval
            /v1/events       | cursor=not-a-cursor                          | invalid_cursor
            /v1/events       | from=yesterday                               | invalid_from
            """)
    void badInputIsRefusedWithAClearError(String path, String query, String code) {
        var request = given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer()).urlEncodingEnabled(true);
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            request.queryParam(kv[0], kv[1]);
        }
        request.get(path).then().statusCode(400).body("error.code", equalTo(code));
    }

    @Test
    void theApiIsDescribedInItsOpenApiDocument() {
        given().baseUri(LocalStack.analyticsUrl()).get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.keySet()", org.hamcrest.Matchers.hasItems("/v1/stats/counts", "/v1/stats/users",
                        "/v1/stats/top", "/v1/stats/funnel", "/v1/events"))
                .body("components.securitySchemes.tenantKey.scheme", equalTo("bearer"));
    }

    @Test
    void everyQueryNeedsATenantKey() {
        for (String path : List.of("/v1/stats/counts", "/v1/stats/users", "/v1/stats/top?dimension=type",
                "/v1/stats/funnel?steps=a,b", "/v1/events")) {
            given().baseUri(LocalStack.analyticsUrl()).get(path).then().statusCode(401).body("error.code", equalTo("unauthorized"));
        }
    }

    @Test
    void graphQlAnswersAsRestDoes() {
        String range = "from: \"%s\", to: \"%s\"".formatted(FROM, TO);
        var rest = as(tenant).queryParam("dimension", "type").get("/v1/stats/top").then().extract();
        var graphql = graphql(tenant, "{ topValues(dimension: \"type\", " + range + ") { value count users } }");
        assertEquals(rest.<List<Object>>path("values.value"), graphql.path("data.topValues.value"));
        assertEquals(rest.<List<Object>>path("values.count"), graphql.path("data.topValues.count"));

        rest = as(tenant).queryParam("interval", "minute").get("/v1/stats/counts").then().extract();
        graphql = graphql(tenant, "{ eventCounts(" + range + ", interval: \"minute\") { start type count users } }");
        assertEquals(rest.<List<Object>>path("buckets.type"), graphql.path("data.eventCounts.type"));
        assertEquals(rest.<List<Object>>path("buckets.count"), graphql.path("data.eventCounts.count"));
        assertEquals(rest.<List<Object>>path("buckets.start"), graphql.path("data.eventCounts.start"));

        graphql = graphql(tenant, "{ funnel(steps: [\"signup.started\", \"signup.completed\", \"order.created\"], window: \"PT10M\", "
                + range + ") { type users } }");
        assertEquals(List.of(3, 2, 1), graphql.path("data.funnel.users"));
        graphql = graphql(tenant, "{ users(" + range + ") { users } }");
        assertEquals(List.of(5, 2, 1), graphql.path("data.users.users"));
        graphql = graphql(tenant, "{ events(" + range + ", limit: 3) { nextCursor events { userId type properties } } }");
        assertEquals(List.of("u1", "u2", "u1"), graphql.path("data.events.events.userId"));
        assertEquals("{\"plan\":\"pro\"}", graphql.path("data.events.events[0].properties"));
    }

    @Test
    void graphQlRefusesBadQuestionsWithErrors() {
        assertEquals("'from' must be before 'to'", graphql(tenant,
                "{ eventCounts(from: \"2026-01-02T00:00:00Z\", to: \"2026-01-01T00:00:00Z\") { count } }")
                .path("errors[0].message"));
        assertEquals("Send a tenant API key with the 'read' scope as 'Authorization: Bearer <key>'", given().baseUri(LocalStack.analyticsUrl())
                .contentType("application/json").body(java.util.Map.of("query", "{ users { users } }"))
                .post("/graphql").then().extract().path("errors[0].message"));
        String deep = graphql(tenant, "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }")
                .path("errors[0].message");
        org.junit.jupiter.api.Assertions.assertTrue(deep.contains("depth"), deep);
    }

    private static io.restassured.response.ExtractableResponse<io.restassured.response.Response> graphql(TestTenant who, String query) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", who.bearer()).contentType("application/json")
                .body(java.util.Map.of("query", query)).post("/graphql").then().statusCode(200).extract();
    }

    private static RequestSpecification as(TestTenant who) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", who.bearer())
                .queryParam("from", FROM).queryParam("to", TO);
    }

    private static String at(int seconds) {
        return T.plusSeconds(seconds).toString();
    }

    private static void send(TestTenant who, String ndjson) {
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", who.bearer()).contentType("application/x-ndjson")
                .body(ndjson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/v1/events").then().statusCode(202);
    }
}
