package io.freshet.analytics.stats;

import io.freshet.analytics.config.TestAnalyticsConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnalyticsStoreTest {

    @Test
    void everyQueryCarriesTheLimitsAsItsSettingsReadOnly() {
        Map<String, String> settings = AnalyticsStore.serverSettings(TestAnalyticsConfig.withQueries(Duration.ofSeconds(10),
                1L << 30, 500_000_000, 100_000, 64L << 20).queries());
        assertEquals(Map.of("max_execution_time", "10", "timeout_overflow_mode", "throw",
                "max_memory_usage", "1073741824", "max_rows_to_read", "500000000", "read_overflow_mode", "throw",
                "max_result_rows", "100000", "max_result_bytes", "67108864", "result_overflow_mode", "throw",
                "readonly", "2"), settings);
    }

    @Test
    void readonlyComesLastForServersThatApplyThemInOrder() {
        var names = List.copyOf(AnalyticsStore.serverSettings(TestAnalyticsConfig.withQueries(Duration.ofSeconds(1), 1, 0, 0, 0)
                .queries()).keySet());
        assertEquals("readonly", names.getLast());
    }
}
