package io.freshet.analytics.graphql;

import io.freshet.analytics.stats.TimeRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class LiveWindowTest {

    private static final Duration PERIOD = Duration.ofSeconds(2);
    private static final Duration FIFTEEN_MINUTES = Duration.ofMinutes(15);

    @Test
    void endsAtTheEndOfThePushPeriodItFallsIn() {
        LiveWindow window = LiveWindow.at(Instant.parse("2026-03-01T10:00:00.123456789Z"), PERIOD, FIFTEEN_MINUTES);
        assertEquals(Instant.parse("2026-03-01T10:00:02Z"), window.to());
        assertEquals(Instant.parse("2026-03-01T09:45:02Z"), window.from());
    }

    @Test
    void everyInstantOfOnePeriodAsksTheSameQuestion() {
        Instant start = Instant.parse("2026-03-01T10:00:04Z");
        LiveWindow first = LiveWindow.at(start, PERIOD, FIFTEEN_MINUTES);
        assertEquals(first, LiveWindow.at(start.plusNanos(1), PERIOD, FIFTEEN_MINUTES));
        assertEquals(first, LiveWindow.at(start.plusMillis(1999).plusNanos(999_999), PERIOD, FIFTEEN_MINUTES));
        assertNotEquals(first, LiveWindow.at(start.plusMillis(2000), PERIOD, FIFTEEN_MINUTES), "the next period moves on");
    }

    @Test
    void watchersInOnePeriodShareTheCachedQuestion() {
        // Analytics keys its cache by the parsed range: two watchers whose ticks fall apart within a period ask with
        // the same text and so the same range (before, each tick's Instant.now() in nanoseconds was a new key)
        LiveWindow one = LiveWindow.at(Instant.parse("2026-03-01T10:00:06.010Z"), PERIOD, FIFTEEN_MINUTES);
        LiveWindow other = LiveWindow.at(Instant.parse("2026-03-01T10:00:07.930Z"), PERIOD, FIFTEEN_MINUTES);
        assertEquals(one.from().toString(), other.from().toString());
        assertEquals(one.to().toString(), other.to().toString());
        Duration longest = Duration.ofDays(1);
        assertEquals(TimeRange.of(one.from().toString(), one.to().toString(), longest),
                TimeRange.of(other.from().toString(), other.to().toString(), longest));
    }

    @Test
    void aPeriodOfMillisecondsRoundsToItsOwnMultiples() {
        LiveWindow window = LiveWindow.at(Instant.parse("2026-03-01T10:00:00.740Z"), Duration.ofMillis(250), Duration.ofHours(1));
        assertEquals(Instant.parse("2026-03-01T10:00:00.750Z"), window.to());
        assertEquals(window.to().minus(Duration.ofHours(1)), window.from());
    }
}
