package io.freshet.analytics.config;

import io.quarkus.runtime.configuration.MemorySize;

import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Settings for fast tests that build the analytics API's classes without Quarkus. Only the groups a test sets answer
 * (a proxy, so settings added for other features need nothing here); asking another is a test's mistake.
 */
public final class TestAnalyticsConfig {

    private TestAnalyticsConfig() {
    }

    public static AnalyticsConfig withSubscriptions(Duration pushEvery, int maxPerConnection, int maxPerKey) {
        return of(Map.of("subscriptions", group(AnalyticsConfig.Subscriptions.class, Map.of("pushEvery", pushEvery,
                "maxPerConnection", maxPerConnection, "maxPerKey", maxPerKey)), "maxBuckets", 10_000L));
    }

    public static AnalyticsConfig withQueries(Duration maxExecutionTime, long maxMemoryUsage, long maxRowsToRead,
                                              long maxResultRows, long maxResultBytes) {
        return of(Map.of("queries", group(AnalyticsConfig.Queries.class, Map.of("maxExecutionTime", maxExecutionTime,
                "maxMemoryUsage", bytes(maxMemoryUsage), "maxRowsToRead", maxRowsToRead, "maxResultRows", maxResultRows,
                "maxResultBytes", bytes(maxResultBytes)))));
    }

    public static AnalyticsConfig withCache(Duration liveTtl, Duration closedTtl, Duration settle, Duration retryAfter,
                                            Duration localTtl) {
        return of(Map.of("cache", group(AnalyticsConfig.Cache.class, Map.of("liveTtl", liveTtl, "closedTtl", closedTtl,
                "settle", settle, "retryAfter", retryAfter, "localTtl", localTtl))));
    }

    private static AnalyticsConfig of(Map<String, Object> values) {
        return group(AnalyticsConfig.class, values);
    }

    private static <T> T group(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not set in this test");
            }
            return values.get(method.getName());
        }));
    }

    private static MemorySize bytes(long bytes) {
        return new MemorySize(BigInteger.valueOf(bytes));
    }
}
