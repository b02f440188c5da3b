package io.freshet.router.sink;

import java.time.Duration;

/**
 * When a partition's batch is inserted: when it is full, when its oldest row waited the longest age, or, once it
 * waited the shortest age, as soon as the partition is caught up (Kafka has nothing more for it yet). Under light
 * load batches are small and fresh; under heavy load the partition is never caught up, so they grow to full size,
 * and the slower inserts are, the more rows each one carries.
 */
public record FlushPolicy(int maxRows, Duration maxAge, Duration minAge) {

    public boolean due(int rows, long ageNanos, boolean caughtUp) {
        return rows >= maxRows || ageNanos >= maxAge.toNanos() || caughtUp && ageNanos >= minAge.toNanos();
    }
}
