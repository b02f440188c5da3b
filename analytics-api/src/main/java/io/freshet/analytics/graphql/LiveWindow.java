package io.freshet.analytics.graphql;

import java.time.Duration;
import java.time.Instant;

/**
 * The time range a live answer covers at one push: the last {@code length}, up to the end of the current push period.
 * Rounded so, every watcher of a tenant asking the same question within one period asks exactly the same one: one
 * cache entry and at most one ClickHouse query per period, however many watch and whenever their ticks fall.
 */
record LiveWindow(Instant from, Instant to) {

    static LiveWindow at(Instant now, Duration period, Duration length) {
        long periodMillis = period.toMillis();
        Instant end = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), periodMillis) * periodMillis + periodMillis);
        return new LiveWindow(end.minus(length), end);
    }
}
