package io.freshet.analytics.cache;

import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The analytics query cache on the stack's Redis: hits, short-lived answers for live ranges, one computation per key, no Redis. */
class QueryCacheIT {

    @Test
    void aClosedRangeIsAnsweredFromTheCacheTheSecondTime() {
        TestTenant tenant = TestTenants.create("cache-closed");
        String to = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).toString();
        double hits = cache("hit");
        counts(tenant, "2020-01-01T00:00:00Z", to).statusCode(200);
        assertEquals(hits, cache("hit"), "the first answer is computed");
        counts(tenant, "2020-01-01T00:00:00Z", to).statusCode(200);
        assertEquals(hits + 1, cache("hit"), "the second comes from Redis");
    }

    @Test
    void aLiveRangeShowsNewEventsWithinItsShortLifetime() {
        TestTenant tenant = TestTenants.create("cache-live");
        send(tenant, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> lastHourCount(tenant) == 3);
        send(tenant, 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> lastHourCount(tenant) == 5);
    }

    @Test
    void concurrentRequestsForOneMissingAnswerComputeItOnce() throws Exception {
        TestTenant tenant = TestTenants.create("cache-flight");
        String to = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).toString();
        double computed = computations();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(clients.submit((Callable<Integer>) () ->
                        counts(tenant, "2021-01-01T00:00:00Z", to).extract().statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        }
        // without the shared computation each of the 20 would query ClickHouse
        assertTrue(computations() - computed <= 2, "computed " + (computations() - computed) + " times");
    }

    @Test
    void withoutRedisTheApiAnswersUncached() throws Exception {
        TestTenant tenant = TestTenants.create("cache-down");
        send(tenant, 4);
        await().atMost(Duration.ofSeconds(30)).until(() -> lastHourCount(tenant) == 4);
        double bypassed = cache("bypass");
        Freshet.run("down", "redis");
        try {
            // the answer may still come from the 1 s in-memory layer; once it expires, it is computed without Redis
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertEquals(4, lastHourCount(tenant));
                assertTrue(cache("bypass") > bypassed, "counted as answered without the cache");
            });
        } finally {
            Freshet.run("up", "redis");
            // the API tries Redis again a few seconds after it failed: wait until answers are cached again
            String to = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).toString();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                double hits = cache("hit");
                counts(tenant, "2022-01-01T00:00:00Z", to).statusCode(200);
                return cache("hit") > hits;
            });
        }
    }

    private static ValidatableResponse counts(TestTenant tenant, String from, String to) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .queryParam("from", from).queryParam("to", to).queryParam("interval", "day")
                .get("/v1/stats/counts").then();
    }

    private static long lastHourCount(TestTenant tenant) {
        List<Integer> counts = given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .get("/v1/stats/counts").then().statusCode(200).extract().path("buckets.count");
        return counts.stream().mapToLong(Integer::longValue).sum();
    }

    private static void send(TestTenant tenant, int events) {
        given().baseUri(LocalStack.ingestUrl()).header("Authorization", tenant.bearer()).contentType("application/json")
                .body("[" + String.join(",", java.util.Collections.nCopies(events, "{\"type\":\"cache.tested\",\"user_id\":\"u1\"}")) + "]")
                .post("/v1/events").then().statusCode(202).body("accepted", equalTo(events));
    }

    private static double cache(String result) {
        return Metrics.sum(LocalStack.analyticsUrl(), "freshet_analytics_cache_total", "result=\"" + result + "\"");
    }

    private static double computations() {
        return Metrics.sum(LocalStack.analyticsUrl(), "freshet_analytics_query_seconds_count", "query=\"counts\"");
    }
}
