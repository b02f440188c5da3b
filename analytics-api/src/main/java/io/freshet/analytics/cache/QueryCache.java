package io.freshet.analytics.cache;

import io.freshet.analytics.config.AnalyticsConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Query answers in Redis, keyed by tenant, query and its normalized parameters. A range that ends near now may
 * still change and is kept briefly; a closed range for long. In front of Redis, each instance keeps the answers it
 * served in the last second in memory, so a hot question costs no Redis call and no parsing. One computation per
 * key at a time in an instance: concurrent callers of a missing key wait for the first one's answer. Without
 * Redis, answers are computed uncached and Redis is left alone for a while.
 */
// Caffeine loads the classes for the in-memory cache's options (maximum size, expiry after write) by name: native
// keeps them (other options need other classes)
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMSW", "com.github.benmanes.caffeine.cache.PSWMS"})
@ApplicationScoped
public class QueryCache {

    private static final Logger LOG = Logger.getLogger(QueryCache.class);
    private static final String PREFIX = "freshet:query:";

    private final ValueCommands<String, String> redis;
    private final MeterRegistry meters;
    private final ObjectMapper json;
    private final Duration liveTtl;
    private final Duration closedTtl;
    private final Duration settle;
    private final Duration retryAfter;
    private final Counter hits;
    private final Counter misses;
    private final Counter bypasses;
    /** The answers being computed, for callers of the same key to share (same key, same type). */
    private final Map<String, CompletableFuture<Object>> computing = new ConcurrentHashMap<>();
    /** Per query: building and registering a timer on every miss would cost a registry lookup each time. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Cache<String, Object> recent;
    private volatile Instant redisRetryAt = Instant.MIN;

    public QueryCache(RedisDataSource redis, ObjectMapper json, MeterRegistry meters, AnalyticsConfig config) {
        AnalyticsConfig.Cache cache = config.cache();
        Duration localTtl = cache.localTtl();
        this.redis = redis.value(String.class);
        this.meters = meters;
        this.json = json;
        this.liveTtl = cache.liveTtl();
        this.closedTtl = cache.closedTtl();
        this.settle = cache.settle();
        this.retryAfter = cache.retryAfter();
        this.hits = meters.counter("freshet.analytics.cache", "result", "hit");
        this.misses = meters.counter("freshet.analytics.cache", "result", "miss");
        this.bypasses = meters.counter("freshet.analytics.cache", "result", "bypass");
        this.recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(localTtl).build();
    }

    /**
     * The cached answer of {@code query} with these parameters for the tenant, or the computed one.
     *
     * @param rangeEnd the end of the time range the answer covers (decides how long it may be kept)
     */
    public <T> T get(String tenantId, String query, Map<String, ?> parameters, Instant rangeEnd, Class<T> type,
                     Supplier<T> compute) {
        String key = PREFIX + tenantId + ":" + query + ":" + digest(new TreeMap<>(parameters).toString());
        Object served = recent.getIfPresent(key);
        if (type.isInstance(served)) {
            hits.increment();
            return type.cast(served);
        }
        String cached = read(key);
        if (cached != null) {
            hits.increment();
            return remember(key, parse(cached, type));
        }
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> first = computing.putIfAbsent(key, mine);
        if (first != null) {
            try {
                return type.cast(first.join()); // someone computes this key right now: share their answer
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            T answer = timer(query).record(compute);
            String text = write(answer);
            mine.complete(answer);
            store(key, text, rangeEnd.isAfter(Instant.now().minus(settle)) ? liveTtl : closedTtl);
            return remember(key, answer);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            computing.remove(key);
        }
    }

    private Timer timer(String query) {
        return timers.computeIfAbsent(query, name -> Timer.builder("freshet.analytics.query").tag("query", name)
                .description("Computing an answer the cache did not have").publishPercentileHistogram()
                .register(meters));
    }

    private <T> T remember(String key, T answer) {
        recent.put(key, answer);
        return answer;
    }

    private String read(String key) {
        if (Instant.now().isBefore(redisRetryAt)) {
            bypasses.increment();
            return null;
        }
        try {
            String value = redis.get(key);
            if (value == null) {
                misses.increment();
            }
            return value;
        } catch (RuntimeException e) {
            redisFailed(e);
            bypasses.increment();
            return null;
        }
    }

    private void store(String key, String answer, Duration ttl) {
        if (Instant.now().isBefore(redisRetryAt)) {
            return;
        }
        try {
            redis.set(key, answer, new SetArgs().px(ttl));
        } catch (RuntimeException e) {
            redisFailed(e);
        }
    }

    private void redisFailed(RuntimeException e) {
        LOG.warnf("Answering uncached for %s: Redis failed (%s)", retryAfter, e.toString());
        redisRetryAt = Instant.now().plus(retryAfter);
    }

    private String write(Object answer) {
        try {
            return json.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A query answer always serializes", e);
        }
    }

    private <T> T parse(String cached, Class<T> type) {
        try {
            return json.readValue(cached, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A cached answer always parses", e);
        }
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
