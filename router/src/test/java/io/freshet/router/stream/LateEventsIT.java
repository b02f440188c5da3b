package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.Ingest;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TestTenants.TestTenant;
import io.freshet.eventmodel.stack.TopicProbe;
import io.freshet.eventmodel.topic.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Events sent long after they happened (past the enricher's lateness bound, 2 h) go through the late lane and are
 * still stored once, marked late, counted in the rollup at the minute they happened and billed when accepted, even
 * when ClickHouse dies while their batch spans two months.
 */
class LateEventsIT {

    private static final int LATE_EVENTS = 6_000;

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

    /**
     * A late backlog whose every batch spans two months (two parts per insert, in each table) while ClickHouse is
     * killed twice: each event stored once, its month's rollup counting it once, billed once.
     */
    @Test
    void lateBatchesSpanningTwoMonthsAreStoredOnceAcrossClickHouseKills() throws Exception {
        String tenant = TestTenants.create("late-months").id();
        Instant now = Instant.now();
        Instant[] months = {now.minus(Duration.ofDays(40)), now.minus(Duration.ofDays(80))}; // 40 days apart: two months
        List<ProducerRecord<String, String>> events = IntStream.range(0, LATE_EVENTS).mapToObj(i -> new ProducerRecord<>(
                Topics.RAW, tenant + "/u" + i % 31, """
                {"tenant_id":"%s","event_id":"%s","type":"late.backfill","timestamp":"%s","received_at":"%s","user_id":"u%d"}"""
                .formatted(tenant, UUID.randomUUID(), months[i % 2], now, i % 31))).toList();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> {
                TopicProbe.sendPaced(events, 500);
                return null;
            });
            for (int kill = 1; kill <= 2; kill++) {
                long progress = kill * (long) LATE_EVENTS / 3;
                await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.eventsOf(tenant) >= progress);
                Freshet.kill("clickhouse");
                Freshet.run("up", "clickhouse");
            }
            sending.get();
        }
        ClickHouseProbe.awaitStoredOnce(tenant, LATE_EVENTS);
        assertEquals(LATE_EVENTS / 2 + "\n" + LATE_EVENTS / 2, ClickHouseProbe.query(
                "SELECT sum(events) FROM freshet.events_per_minute WHERE tenant_id = '" + tenant + "' GROUP BY toYYYYMM(minute)"
                        + " ORDER BY toYYYYMM(minute)"), "each month's rollup counts its events once");
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= LATE_EVENTS);
        assertEquals(LATE_EVENTS, ClickHouseProbe.billedEventsOf(tenant));
    }

    private static long minuteOf(Instant time) {
        return time.truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
    }
}
