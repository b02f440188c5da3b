package io.freshet.router.sink;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlushPolicyTest {

    private static final FlushPolicy POLICY = new FlushPolicy(5000, Duration.ofMillis(500), Duration.ofMillis(50));
    private static final long MS = 1_000_000;

    @Test
    void aCaughtUpPartitionFlushesAfterTheShortestAge() {
        assertFalse(POLICY.due(10, 20 * MS, true), "not before the shortest age");
        assertTrue(POLICY.due(10, 60 * MS, true));
    }

    @Test
    void aPartitionWithMoreToReadWaitsForAFullBatchOrTheLongestAge() {
        assertFalse(POLICY.due(4999, 499 * MS, false));
        assertTrue(POLICY.due(5000, 1 * MS, false), "full");
        assertTrue(POLICY.due(10, 500 * MS, false), "old enough");
    }
}
