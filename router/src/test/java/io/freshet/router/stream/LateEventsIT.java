package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Events sent long after they happened (past the enricher's lateness bound, 2 h) go through the late lane and are
 * still stored once, marked late, counted in the rollup at the minute they happened and billed when accepted.
 */
class LateEventsIT {

    @Test
    void eventsThreeHoursAndThreeDaysOldAreStoredOnceRolledUpAndBilled() {
        TestTenant tenant = TestTenants.create("late");
        Instant hoursAgo = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        Instant daysAgo = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
        Ingest.send(tenant, "[{\"type\":\"offline.synced\",\"timestamp\":\"%s\",\"user_id\":\"u1\"},"
                .formatted(hoursAgo) + "{\"type\":\"offline.synced\",\"timestamp\":\"%s\",\"user_id\":\"u2\"},"
                .formatted(daysAgo) + "{\"type\":\"live\",\"user_id\":\"u3\"}]");

        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.eventsOf(tenant.id()) >= 3);
        assertEquals("3\t3", ClickHouseProbe.rowsAndIdsOf(tenant.id()));
        assertEquals("""
                live\tfalse\t0
                offline.synced\ttrue\t%d
                offline.synced\ttrue\t%d""".formatted(daysAgo.getEpochSecond(), hoursAgo.getEpochSecond()),
                ClickHouseProbe.query("SELECT type, late, toUnixTimestamp(event_time) * (late ? 1 : 0) FROM freshet.events"
                        + " WHERE tenant_id = '" + tenant.id() + "' ORDER BY type, event_time"),
                "the late events keep their own times and are marked");
        assertEquals("""
                %s\t1
                %s\t1""".formatted(minuteOf(daysAgo), minuteOf(hoursAgo)),
                ClickHouseProbe.query("SELECT toUnixTimestamp(minute), sum(events) FROM freshet.events_per_minute WHERE tenant_id = '"
                        + tenant.id() + "' AND type = 'offline.synced' GROUP BY minute ORDER BY minute"),
                "the rollup counts each at the minute it happened");
        await().atMost(Duration.ofSeconds(30)).until(() -> ClickHouseProbe.billedEventsOf(tenant.id()) >= 3);
        assertEquals(3, ClickHouseProbe.billedEventsOf(tenant.id()), "late events are billed like any");
    }

    private static long minuteOf(Instant time) {
        return time.truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
    }
}
