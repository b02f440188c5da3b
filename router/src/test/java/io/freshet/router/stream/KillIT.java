package io.freshet.router.stream;

import io.freshet.eventmodel.stack.ClickHouseProbe;
import io.freshet.eventmodel.stack.Freshet;
import io.freshet.eventmodel.stack.RawEvents;
import io.freshet.eventmodel.stack.TestTenants;
import io.freshet.eventmodel.stack.TopicProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `kill -9` of the router, three times, while a known set of events flows through the pipeline (and separately of
 * the ClickHouse endpoint): afterwards ClickHouse holds each of them exactly once, and the billing totals equal
 * the event count.
 */
class KillIT {

    private static final int EVENTS = 20_000;
    private static final int KILLS = 3;

    @ParameterizedTest
    @ValueSource(strings = {"router", "clickhouse"})
    void everyEventIsStoredAndBilledExactlyOnceAcrossCrashes(String part) throws Exception {
        String tenant = TestTenants.create(part + "-kill").id();
        try (var sender = Executors.newVirtualThreadPerTaskExecutor()) {
            var sending = sender.submit(() -> {
                // about 13 s of raw events, so the kills land mid-stream
                TopicProbe.sendPaced(IntStream.range(0, EVENTS).mapToObj(i -> RawEvents.record(tenant, "u" + i % 97,
                        UUID.randomUUID().toString(), "crash.tested")).toList(), 1500);
                return null;
            });
            for (int kill = 1; kill <= KILLS; kill++) {
                long progress = kill * (long) EVENTS / (KILLS + 1);
                await().atMost(Duration.ofSeconds(90)).until(() -> ClickHouseProbe.eventsOf(tenant) >= progress);
                Freshet.kill(part);
                Freshet.run("up", part);
            }
            sending.get();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ClickHouseProbe.eventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS + "\t" + EVENTS, ClickHouseProbe.rowsAndIdsOf(tenant),
                "count() = uniqExact(event_id) = every event sent");
        // the billing route ran through the same crashes: it bills each event once
        await().atMost(Duration.ofSeconds(60)).until(() -> ClickHouseProbe.billedEventsOf(tenant) >= EVENTS);
        assertEquals(EVENTS, ClickHouseProbe.billedEventsOf(tenant), "billed events = events sent");
    }
}
