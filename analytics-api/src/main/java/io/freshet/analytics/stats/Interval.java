package io.freshet.analytics.stats;

import java.time.Duration;

/** A bucket width of the counts query, with the ClickHouse function that truncates a time to it. */
public enum Interval {
    MINUTE(Duration.ofMinutes(1), "toStartOfMinute"),
    HOUR(Duration.ofHours(1), "toStartOfHour"),
    DAY(Duration.ofDays(1), "toStartOfDay");

    final Duration width;
    final String truncateFunction;

    Interval(Duration width, String truncateFunction) {
        this.width = width;
        this.truncateFunction = truncateFunction;
    }
}
