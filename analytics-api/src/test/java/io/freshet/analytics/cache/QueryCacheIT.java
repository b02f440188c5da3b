package io.freshet.analytics.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.LocalStack;
import io.freshet.eventmodel.stack.Metrics;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.restassured.path.json.JsonPath;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analytics query cache on the stack's Redis: answers from Redis equal to the computed ones, hits, short-lived
 * answers for live ranges, one computation per key, no Redis.
 */
class QueryCacheIT {

    /** A question, the sum its answer must give at {@code total} (a JSON path) to be about the events sent. */
    private record Question(String path, String total, int expected) {
    }

    @Test
    void anAnswerFromRedisIsTheAnswerComputedFromTheStoredEvents() throws Exception {
        TestTenant tenant = TestTenants.create("cache-same");
        // three hours ago: a closed range (it ends before the 2 h settle time), which Redis keeps for 10 min, so the
        // second asking is answered from Redis without a race; the events take the late lane to be stored
        Instant t = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES);
        // "type user minute": 4, 3 and 3 users in the three minutes; 4 users started, 3 completed, 2 ordered
        String events = Stream.of("signup.started u1 0", "signup.started u2 0", "signup.started u3 0",
                        "signup.started u4 0", "signup.completed u1 1", "signup.completed u2 1", "signup.completed u3 1",
                        "order.created u1 2", "order.created u2 2", "page.viewed u1 2", "page.viewed u2 2", "page.viewed u3 2")
                .map(event -> event.split(" "))
                .map(event -> "{\"type\":\"%s\",\"user_id\":\"%s\",\"timestamp\":\"%s\"}".formatted(event[0], event[1],
                        t.plus(Duration.ofMinutes(Long.parseLong(event[2])))))
                .collect(Collectors.joining(",", "[", "]"));
        assertEquals(12, Ingest.send(tenant, events).size());
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) == 12);

        String range = "from=" + t.minus(Duration.ofMinutes(10)) + "&to=" + t.plus(Duration.ofMinutes(10));
        List<Question> questions = List.of(
                new Question("/v1/stats/counts?interval=minute&" + range, "buckets.count.sum()", 12),
                new Question("/v1/stats/users?interval=minute&" + range, "buckets.users.sum()", 4 + 3 + 3),
                new Question("/v1/stats/top?dimension=type&" + range, "values.count.sum()", 12),
                new Question("/v1/stats/funnel?steps=signup.started,signup.completed,order.created&window=PT10M&" + range,
                        "steps.users.sum()", 4 + 3 + 2),
                new Question("/v1/events?" + range, "events.size()", 12));
        List<String> computed = new ArrayList<>();
        for (Question question : questions) {
            String answer = answer(tenant, question.path()); // a new tenant: nothing of it is cached yet
            assertEquals(question.expected(), JsonPath.from(answer).getInt(question.total()), "computed: " + question.path());
            computed.add(answer);
        }
        // past the 1 s in-memory layer the answers come from Redis, parsed from its JSON; asked until each is a hit, as
        // Redis may still be skipped for a few seconds after the test that stops it
        ObjectMapper json = new ObjectMapper();
        await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < questions.size(); i++) {
                double hits = cache("hit");
                String cached = answer(tenant, questions.get(i).path());
                assertTrue(cache("hit") > hits, "from the cache: " + questions.get(i).path());
                assertEquals(json.readTree(computed.get(i)), json.readTree(cached),
                        "the cached answer is the computed one: " + questions.get(i).path());
            }
        });
    }

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

    private static String answer(TestTenant tenant, String path) {
        return given().baseUri(LocalStack.analyticsUrl()).header("Authorization", tenant.bearer())
                .get(path).then().statusCode(200).extract().asString();
    }

    private static void send(TestTenant tenant, int events) {
        assertEquals(events, Ingest.send(tenant, "[" + String.join(",",
                java.util.Collections.nCopies(events, "{\"type\":\"cache.tested\",\"user_id\":\"u1\"}")) + "]").size());
    }

    private static double cache(String result) {
        return Metrics.sum(LocalStack.analyticsUrl(), "freshet_analytics_cache_total", "result=\"" + result + "\"");
    }

    private static double computations() {
        return Metrics.sum(LocalStack.analyticsUrl(), "freshet_analytics_query_seconds_count", "query=\"counts\"");
    }
}
