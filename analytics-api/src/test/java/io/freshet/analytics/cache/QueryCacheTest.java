package io.freshet.analytics.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.freshet.analytics.config.TestAnalyticsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The query cache over an in-memory Redis: what it shares, with whom, for how long, and what it does without Redis. */
class QueryCacheTest {

    private static final Duration LIVE = Duration.ofSeconds(5);
    private static final Duration CLOSED = Duration.ofHours(1);
    private static final Instant CLOSED_RANGE = Instant.now().minus(Duration.ofDays(1));

    private final FakeRedis redis = new FakeRedis();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger computed = new AtomicInteger();

    private QueryCache cache(Duration localTtl) {
        return new QueryCache(redis.dataSource(), new ObjectMapper(), meters,
                TestAnalyticsConfig.withCache(LIVE, CLOSED, Duration.ofMinutes(5), Duration.ofSeconds(30), localTtl));
    }

    private String ask(QueryCache cache, String tenant, Map<String, ?> parameters, Instant rangeEnd) {
        return cache.get(tenant, "counts", parameters, rangeEnd, String.class,
                () -> tenant + "#" + computed.incrementAndGet());
    }

    @Test
    void aRepeatedQuestionIsAnsweredFromTheCacheWhateverTheOrderOfItsParameters() {
        QueryCache cache = cache(Duration.ofSeconds(1));
        String first = ask(cache, "acme", Map.of("from", "a", "to", "b"), CLOSED_RANGE);
        assertEquals(first, ask(cache, "acme", Map.of("to", "b", "from", "a"), CLOSED_RANGE));
        assertEquals(1, computed.get());
        assertEquals(1.0, meters.counter("freshet.analytics.cache", "result", "hit").count());
    }

    @Test
    void anotherInstanceGetsTheAnswerFromRedis() {
        ask(cache(Duration.ofSeconds(1)), "acme", Map.of("from", "a"), CLOSED_RANGE);
        assertEquals("acme#1", ask(cache(Duration.ofSeconds(1)), "acme", Map.of("from", "a"), CLOSED_RANGE));
        assertEquals(1, computed.get());
    }

    @Test
    void noTenantIsAnsweredWithAnothersAnswer() {
        QueryCache cache = cache(Duration.ofSeconds(1));
        assertEquals("acme#1", ask(cache, "acme", Map.of("from", "a"), CLOSED_RANGE));
        assertEquals("globex#2", ask(cache, "globex", Map.of("from", "a"), CLOSED_RANGE));
        assertTrue(redis.values.keySet().stream().allMatch(key -> key.startsWith("freshet:query:acme:")
                || key.startsWith("freshet:query:globex:")), redis.values.keySet().toString());
    }

    @Test
    void aRangeThatMayStillChangeIsKeptBrieflyAClosedOneLong() {
        QueryCache cache = cache(Duration.ofSeconds(1));
        ask(cache, "acme", Map.of("range", "closed"), CLOSED_RANGE);
        ask(cache, "acme", Map.of("range", "live"), Instant.now());
        assertEquals(List.of(CLOSED.toMillis(), LIVE.toMillis()), redis.ttls);
    }

    @Test
    void aFailedComputationIsNotKept() {
        QueryCache cache = cache(Duration.ofSeconds(1));
        assertThrows(IllegalStateException.class, () -> cache.get("acme", "counts", Map.of(), CLOSED_RANGE, String.class,
                () -> {
                    throw new IllegalStateException("ClickHouse away");
                }));
        assertEquals("acme#1", ask(cache, "acme", Map.of(), CLOSED_RANGE));
        assertTrue(redis.values.values().stream().noneMatch(v -> v.contains("away")));
    }

    @Test
    void withoutRedisAnswersAreComputedAndRedisIsLeftAloneForAWhile() {
        QueryCache cache = cache(Duration.ZERO);
        redis.failing = true;
        assertEquals("acme#1", ask(cache, "acme", Map.of(), CLOSED_RANGE));
        int callsWhenItFailed = redis.calls.get();
        redis.failing = false;
        assertEquals("acme#2", ask(cache, "acme", Map.of(), CLOSED_RANGE), "computed again, uncached");
        assertEquals(callsWhenItFailed, redis.calls.get(), "no Redis call within the retry time");
        assertEquals(2.0, meters.counter("freshet.analytics.cache", "result", "bypass").count());
    }

    @Test
    void concurrentCallersOfAMissingKeyShareOneComputation() throws Exception {
        QueryCache cache = cache(Duration.ofSeconds(1));
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var answers = new ConcurrentHashMap<String, String>();
        Thread first = Thread.ofPlatform().start(() -> answers.put("first", cache.get("acme", "counts", Map.of(),
                CLOSED_RANGE, String.class, () -> {
                    started.countDown();
                    awaitRelease(release);
                    return "acme#" + computed.incrementAndGet();
                })));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        List<Thread> others = List.of(
                Thread.ofPlatform().start(() -> answers.put("second", ask(cache, "acme", Map.of(), CLOSED_RANGE))),
                Thread.ofPlatform().start(() -> answers.put("third", ask(cache, "acme", Map.of(), CLOSED_RANGE))));
        // both wait for the first one's answer (parked in join) before it is released
        await().atMost(Duration.ofSeconds(5)).until(() -> others.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        release.countDown();
        for (Thread thread : List.of(first, others.get(0), others.get(1))) {
            thread.join(5_000);
        }
        assertEquals(Map.of("first", "acme#1", "second", "acme#1", "third", "acme#1"), answers);
        assertEquals(1, computed.get());
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Redis's GET and SET in a map, counting calls; failing on demand as a Redis that went away. */
    private static final class FakeRedis {
        final Map<String, String> values = new ConcurrentHashMap<>();
        final List<Long> ttls = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean failing;

        @SuppressWarnings("unchecked")
        RedisDataSource dataSource() {
            ValueCommands<String, String> commands = (ValueCommands<String, String>) Proxy.newProxyInstance(
                    ValueCommands.class.getClassLoader(), new Class<?>[]{ValueCommands.class}, (proxy, method, args) -> {
                        calls.incrementAndGet();
                        if (failing) {
                            throw new IllegalStateException("Connection refused");
                        }
                        return switch (method.getName()) {
                            case "get" -> values.get((String) args[0]);
                            case "set" -> {
                                values.put((String) args[0], (String) args[1]);
                                List<Object> options = ((SetArgs) args[2]).toArgs();
                                ttls.add(Long.parseLong(options.get(options.indexOf("PX") + 1).toString()));
                                yield null;
                            }
                            default -> throw new UnsupportedOperationException(method.getName());
                        };
                    });
            return (RedisDataSource) Proxy.newProxyInstance(RedisDataSource.class.getClassLoader(),
                    new Class<?>[]{RedisDataSource.class}, (proxy, method, args) -> {
                        if (method.getName().equals("value")) {
                            return commands;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }
}
